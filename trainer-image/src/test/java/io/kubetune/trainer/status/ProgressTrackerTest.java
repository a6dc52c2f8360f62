package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.TrainingProgress;
import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.StepResult;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
    private final ProgressTracker tracker = new ProgressTracker();

    @Test
    void lossAndThroughputAreAveragedSinceTheLastReport() {
        tracker.start(10, 0);
        tracker.step(new StepResult(1, 4.0, 1e-3, 1, 100, 0.5), 10, 0.1);
        tracker.step(new StepResult(2, 2.0, 2e-3, 1, 300, 0.5), 10, 0.2);

        TrainingProgress first = tracker.snapshot(Instant.parse("2026-01-01T00:00:05.123Z"));

        assertThat(first.step).isEqualTo(2);
        assertThat(first.totalSteps).isEqualTo(10);
        assertThat(first.percent).isEqualTo(20);
        assertThat(first.epoch).isEqualTo(0.2);
        assertThat(first.loss).isEqualTo(3.0);
        assertThat(first.learningRate).isEqualTo(2e-3);
        assertThat(first.tokensPerSecond).isEqualTo(400.0);
        assertThat(first.etaSeconds).isEqualTo(4); // 8 steps left at 0.5 s each
        assertThat(first.updateTime).isEqualTo("2026-01-01T00:00:05Z");

        tracker.step(new StepResult(3, 1.0, 3e-3, 1, 100, 1.0), 10, 0.3);
        tracker.evaluation(1.5);
        TrainingProgress second = tracker.snapshot(Instant.parse("2026-01-01T00:00:10Z"));

        assertThat(second.loss).isEqualTo(1.0);
        assertThat(second.evalLoss).isEqualTo(1.5);
        assertThat(second.etaSeconds).isEqualTo(7);
    }

    @Test
    void aNanLossIsLeftOutRatherThanSentAsInvalidJson() {
        tracker.start(4, 0);
        tracker.step(new StepResult(1, Double.NaN, 1e-3, 1, 10, 0.1), 4, 0.25);

        TrainingProgress p = tracker.snapshot(Instant.now());

        assertThat(p.loss).isNull();
        assertThat(p.step).isEqualTo(1);
    }

    @Test
    void aResumedRunStartsAtItsCheckpointStep() {
        tracker.start(100, 40);

        TrainingProgress p = tracker.snapshot(Instant.now());

        assertThat(p.step).isEqualTo(40);
        assertThat(p.percent).isEqualTo(40);
        assertThat(p.loss).isNull();
    }

    @Test
    void stageMetricsAreAveragedLikeTheLossAndEvalOnesArePrefixed() {
        tracker.start(10, 0);
        tracker.step(step(1, Map.of("rewards/margins", 0.5, "rewards/accuracies", 0.25)), 10, 0.1);
        tracker.step(step(2, Map.of("rewards/margins", 0.75, "rewards/accuracies", 0.75)), 10, 0.2);
        tracker.evaluation(new Evaluation(0.9, Map.of("rewards/accuracies", 0.875)));

        TrainingProgress p = tracker.snapshot(Instant.now());

        assertThat(p.metrics)
                .extracting(m -> m.name + "=" + m.value)
                .containsExactly(
                        "rewards/accuracies=0.5",
                        "rewards/margins=0.625",
                        "eval_rewards/accuracies=0.875");
    }

    @Test
    void aStageWithoutMetricsReportsNoMetricsList() {
        tracker.start(10, 0);
        tracker.step(new StepResult(1, 2.0, 1e-3, 1, 10, 0.1), 10, 0.1);

        assertThat(tracker.snapshot(Instant.now()).metrics).isNull();
    }

    private static StepResult step(long n, Map<String, Double> metrics) {
        return new StepResult(n, 1.0, 1e-3, 1, 10, 0.1, metrics);
    }
}
