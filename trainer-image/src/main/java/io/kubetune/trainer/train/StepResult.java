package io.kubetune.trainer.train;

import java.util.Map;

/**
 * What one optimizer step did.
 *
 * @param step 1-based count of optimizer steps taken
 * @param loss mean loss over the step's normaliser (counted tokens for pt and sft)
 * @param tokens tokens processed (padding excluded)
 * @param metrics the stage's own metrics for this step, by the names the reference trainer logs
 */
public record StepResult(
        long step,
        double loss,
        double learningRate,
        double gradNorm,
        long tokens,
        double seconds,
        Map<String, Double> metrics) {
    public StepResult {
        metrics = Map.copyOf(metrics);
    }

    /** A step without stage metrics. */
    public StepResult(
            long step,
            double loss,
            double learningRate,
            double gradNorm,
            long tokens,
            double seconds) {
        this(step, loss, learningRate, gradNorm, tokens, seconds, Map.of());
    }
}
