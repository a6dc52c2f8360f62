package io.kubetune.trainer.train;

/**
 * Training diverged: a step's loss or gradient norm is NaN or infinite. Thrown before that step's
 * update, so no non-finite weight is checkpointed or exported; the run fails (exit 1).
 */
public final class NonFiniteLossException extends RuntimeException {
    NonFiniteLossException(long step, double loss, double gradNorm) {
        super(
                String.format(
                        "step %d: the loss is %s and the gradient norm %s, so training stopped"
                                + " before that step's update and nothing was exported. Usual"
                                + " causes: spec.training.learningRate too high, corrupt model"
                                + " weights (NaN or Inf in the checkpoint), or a LoRA scale"
                                + " alpha/r far too large (r: 0); lower the learning rate or"
                                + " check the model files",
                        step, loss, gradNorm));
    }
}
