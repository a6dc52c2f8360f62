package io.kubetune.trainer.train;

/**
 * What one optimizer step did.
 *
 * @param step 1-based count of optimizer steps taken
 * @param loss mean loss over the step's counted tokens
 * @param tokens tokens processed (padding excluded)
 */
public record StepResult(
        long step,
        double loss,
        double learningRate,
        double gradNorm,
        long tokens,
        double seconds) {}
