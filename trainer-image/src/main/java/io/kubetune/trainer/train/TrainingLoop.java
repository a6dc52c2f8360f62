package io.kubetune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.Scalars;
import io.kubetune.trainer.model.decoder.DecoderBackward;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.DynamicLossScaler;
import io.kubetune.trainer.optim.GradientClipping;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Objective;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimizer step as transformers' Trainer takes it, for any stage's {@link Objective}: forward
 * and backward each micro-batch in its own memory scope, with the loss of every micro-batch divided
 * by the normaliser of the whole step (so gradient accumulation equals one big batch), then clip,
 * step and zero.
 *
 * @param <B> the stage's batch type
 */
public final class TrainingLoop<B> {
    private final PretrainedModel model;
    private final Objective<B> objective;
    private final Map<String, Parameter> trainable;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final double maxGradNorm;
    private final long seed;
    private final DecoderBackward backward;
    private DynamicLossScaler scaler;

    public TrainingLoop(
            PretrainedModel model,
            Objective<B> objective,
            Map<String, Parameter> trainable,
            AdamW optimizer,
            LearningRateSchedule schedule,
            double maxGradNorm,
            long seed) {
        this.model = model;
        this.objective = objective;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
        this.seed = seed;
        this.backward = model.block().layerBackward();
    }

    /**
     * Scales the loss dynamically (fp16 training, as torch.amp.GradScaler). A step whose gradients
     * overflow is skipped but still counted, as transformers' Trainer counts it in global_step, so
     * checkpoints and resume keep one step per batch.
     */
    public TrainingLoop<B> withLossScaler(DynamicLossScaler lossScaler) {
        this.scaler = lossScaler;
        return this;
    }

    /**
     * Takes step number {@code optimizer.steps()} (0-based) on the given micro-batches.
     *
     * @throws NonFiniteLossException before updating any weight when the loss or the gradient norm
     *     is not finite
     */
    public StepResult step(List<B> microBatches) {
        long started = System.nanoTime();
        long step = optimizer.steps();
        // Dropout draws from a seed fixed per step, so a resumed run draws the same masks.
        Engine.getInstance().setRandomSeed((int) (seed + step));
        objective.beforeStep(model, microBatches);
        long normalizer = microBatches.stream().mapToLong(objective::normalizer).sum();
        double lossSum = 0;
        long tokens = 0;
        MetricTotals metrics = new MetricTotals();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (B batch : microBatches) {
                try (NDManager scope = model.manager().newSubManager()) {
                    BatchLoss loss = objective.compute(model, batch, scope, true);
                    NDArray summed = loss.sum();
                    NDArray mean = summed.div(Scalars.like(summed, Math.max(1, normalizer)));
                    backward.backward(collector, scaler == null ? mean : scaler.scale(mean));
                    lossSum += summed.getFloat();
                    tokens += loss.tokens();
                    metrics.add(loss.metrics());
                } finally {
                    backward.drop();
                }
            }
        }
        double loss = lossSum / Math.max(1, normalizer);
        if (scaler != null && !scaler.unscale(trainable.values())) {
            return skipOverflow(step, loss, tokens, started, metrics);
        }
        double norm = GradientClipping.clip(trainable.values(), maxGradNorm);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            Gradients.zero(trainable.values());
            throw new NonFiniteLossException(step + 1, loss, norm);
        }
        double lr = schedule.rate(step);
        optimizer.step(lr);
        Gradients.zero(trainable.values());
        Map<String, Double> logged = metrics.means();
        if (scaler != null) {
            scaler.update();
            logged = withScale(logged, false);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new StepResult(step + 1, loss, lr, norm, tokens, seconds, logged);
    }

    /**
     * An fp16 overflow the scaler handles: no weight changes, the scale backs off, and the step
     * counts (its grad_norm is logged as 0, with overflow_skipped 1, since JSON has no Inf).
     */
    private StepResult skipOverflow(
            long step, double loss, long tokens, long started, MetricTotals metrics) {
        Gradients.zero(trainable.values());
        scaler.update();
        optimizer.skip();
        double seconds = (System.nanoTime() - started) / 1e9;
        return new StepResult(
                step + 1,
                Double.isFinite(loss) ? loss : 0,
                schedule.rate(step),
                0,
                tokens,
                seconds,
                withScale(metrics.means(), true));
    }

    private Map<String, Double> withScale(Map<String, Double> metrics, boolean skipped) {
        Map<String, Double> logged = new HashMap<>(metrics);
        logged.put("loss_scale", (double) scaler.scale());
        logged.put("overflow_skipped", skipped ? 1.0 : 0.0);
        return logged;
    }

    /** The loss over the batches' normaliser and the stage's metrics, without gradients. */
    public Evaluation evaluate(List<B> batches) {
        double lossSum = 0;
        long normalizer = 0;
        MetricTotals metrics = new MetricTotals();
        for (B batch : batches) {
            objective.beforeStep(model, List.of(batch));
            try (NDManager scope = model.manager().newSubManager()) {
                BatchLoss loss = objective.compute(model, batch, scope, false);
                lossSum += loss.sum().getFloat();
                normalizer += objective.normalizer(batch);
                metrics.add(loss.metrics());
            }
        }
        return new Evaluation(lossSum / Math.max(1, normalizer), metrics.means());
    }
}
