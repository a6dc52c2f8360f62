package io.kubetune.trainer.train.stage.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Scalars;

/**
 * Each completion token's log-probability under a model at the sampling temperature, {@code
 * log_softmax(logits / T)} (TRL's {@code _get_per_token_logps_and_entropies}), and the entropy of
 * that distribution. Only the completion positions are projected by the LM head.
 *
 * @param logps {@code [rows, completionWidth]} F32, in the autograd graph when the pass is
 * @param entropies {@code [rows, completionWidth]} F32, no gradient (a metric)
 */
public record TokenLogps(NDArray logps, NDArray entropies) {

    /**
     * Scores a rollout's completion tokens.
     *
     * @param output the pass over {@link RolloutTensors#input()}
     * @param tensors the rollout's arrays
     * @param temperature the temperature the tokens were sampled at
     */
    public static TokenLogps of(ModelOutput output, RolloutTensors tensors, double temperature) {
        int start = tensors.promptWidth() - 1;
        int end = start + tensors.completionWidth();
        // Position t's hidden state predicts the token at t + 1.
        NDArray hidden = output.hidden().get(":, " + start + ":" + end + ", :");
        NDArray logits = DifferentiableCast.to(output.logitsOf(hidden), DataType.FLOAT32);
        NDArray scaled =
                temperature == 1.0 ? logits : logits.div(Scalars.like(logits, temperature));
        NDArray logSoftmax = scaled.logSoftmax(-1);
        NDArray ids = tensors.completionIds().toType(DataType.INT64, false).expandDims(-1);
        NDArray logps = logSoftmax.gather(ids, 2).squeeze(-1);
        NDArray detached = logSoftmax.stopGradient();
        NDArray entropies = detached.exp().mul(detached).sum(new int[] {-1}).neg();
        return new TokenLogps(logps, entropies);
    }
}
