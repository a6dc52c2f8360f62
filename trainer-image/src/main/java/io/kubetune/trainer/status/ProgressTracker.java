package io.kubetune.trainer.status;

import io.kubetune.api.v1alpha1.TrainingMetric;
import io.kubetune.api.v1alpha1.TrainingProgress;
import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.stage.Metric;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the steps of a run into the {@code status.progress} a user reads: the loss and throughput
 * are averaged over the steps since the previous snapshot, so a report every 5 s shows the trend
 * rather than one noisy step.
 */
final class ProgressTracker {
    private long totalSteps;
    private long step;
    private double epoch;
    private double learningRate = Double.NaN;
    private Double evalLoss;

    private double windowLoss;
    private long windowLossCount;
    private long windowTokens;
    private double windowSeconds;
    private long windowSteps;

    private final Map<String, Metric> windowMetrics = new TreeMap<>();
    private Map<String, Double> lastMetrics = Map.of();
    private Map<String, Double> evalMetrics = Map.of();

    private Double lastLoss;
    private Double lastTokensPerSecond;
    private double secondsPerStep = Double.NaN;

    synchronized void start(long totalSteps, long resumedAtStep) {
        this.totalSteps = totalSteps;
        this.step = resumedAtStep;
    }

    synchronized void step(StepResult result, long totalSteps, double epoch) {
        this.totalSteps = totalSteps;
        this.step = result.step();
        this.epoch = epoch;
        this.learningRate = result.learningRate();
        if (Double.isFinite(result.loss())) {
            windowLoss += result.loss();
            windowLossCount++;
        }
        result.metrics().forEach(this::addToWindow);
        windowTokens += result.tokens();
        windowSeconds += result.seconds();
        windowSteps++;
    }

    synchronized void evaluation(double evalLoss) {
        evaluation(new Evaluation(evalLoss, Map.of()));
    }

    synchronized void evaluation(Evaluation evaluation) {
        this.evalLoss = finite(evaluation.loss());
        this.evalMetrics = new TreeMap<>(evaluation.metrics());
    }

    private void addToWindow(String name, double value) {
        if (Double.isFinite(value)) {
            windowMetrics.merge(name, Metric.of(value), Metric::plus);
        }
    }

    /** The progress now; starts a new averaging window. */
    synchronized TrainingProgress snapshot(Instant now) {
        if (windowLossCount > 0) {
            lastLoss = windowLoss / windowLossCount;
        }
        if (windowSeconds > 0) {
            lastTokensPerSecond = windowTokens / windowSeconds;
            secondsPerStep = windowSeconds / windowSteps;
        }
        if (!windowMetrics.isEmpty()) {
            Map<String, Double> means = new TreeMap<>();
            windowMetrics.forEach((name, metric) -> means.put(name, metric.mean()));
            lastMetrics = means;
        }
        windowMetrics.clear();
        windowLoss = 0;
        windowLossCount = 0;
        windowTokens = 0;
        windowSeconds = 0;
        windowSteps = 0;

        TrainingProgress p = new TrainingProgress();
        p.step = step;
        p.totalSteps = totalSteps;
        p.epoch = round(epoch, 4);
        p.percent = totalSteps > 0 ? (int) Math.min(100, step * 100 / totalSteps) : null;
        p.loss = lastLoss == null ? null : round(lastLoss, 6);
        p.evalLoss = evalLoss == null ? null : round(evalLoss, 6);
        p.learningRate = finite(learningRate);
        p.tokensPerSecond = lastTokensPerSecond == null ? null : round(lastTokensPerSecond, 1);
        p.etaSeconds =
                Double.isFinite(secondsPerStep)
                        ? Math.round(Math.max(0, totalSteps - step) * secondsPerStep)
                        : null;
        p.metrics = metrics();
        p.updateTime = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return p;
    }

    /** Training metrics, then the eval_ ones; null when the stage reports none. */
    private List<TrainingMetric> metrics() {
        List<TrainingMetric> out = new ArrayList<>();
        lastMetrics.forEach((name, value) -> out.add(metric(name, value)));
        evalMetrics.forEach((name, value) -> out.add(metric("eval_" + name, value)));
        out.removeIf(m -> m.value == null);
        return out.isEmpty() ? null : out;
    }

    private static TrainingMetric metric(String name, double value) {
        return new TrainingMetric(
                name,
                Double.isFinite(value)
                        ? new BigDecimal(value)
                                .round(new MathContext(6))
                                .stripTrailingZeros()
                                .toPlainString()
                        : null);
    }

    synchronized long step() {
        return step;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
