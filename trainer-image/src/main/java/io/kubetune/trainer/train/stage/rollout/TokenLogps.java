package io.kubetune.trainer.train.stage.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;

/**
 * Each completion token's log-probability under a model at the sampling temperature, {@code
 * log_softmax(logits / T)} (TRL's {@code _get_per_token_logps_and_entropies}), and the entropy of
 * that distribution. Only the completion positions are projected by the LM head, a chunk at a time
 * as one flat matrix product ({@link ChunkedTokenScores}). Stage ppo takes its response log-probs
 * here too ({@link #at}, with TRL PPO's divisor).
 *
 * @param logps {@code [rows, completionWidth]} F32, in the autograd graph when the pass is; 0 at
 *     padding when scored by {@link #of} (only real completion tokens are projected)
 * @param entropies {@code [rows, completionWidth]} F32, no gradient (a metric); 0 at padding
 *     likewise
 */
public record TokenLogps(NDArray logps, NDArray entropies) {

    /**
     * Runs the model over the rollout and scores its completion tokens.
     *
     * @param training whether the pass is a training one (dropout, graph kept)
     */
    public static TokenLogps of(
            PretrainedModel model, RolloutTensors tensors, double temperature, boolean training) {
        return of(
                model.block().forward(model.parameterStore(), tensors.input(), training),
                tensors,
                temperature);
    }

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
        return ChunkedTokenScores.score(
                output,
                hidden,
                tensors.completionIds().toType(DataType.INT64, false),
                tensors.completionMask(),
                temperature);
    }

    /**
     * The one computation behind both stages: GRPO divides the logits by the temperature (TRL's
     * GRPOTrainer), PPO by temperature + 1e-7 (TRL's PPOTrainer), so the divisor is the caller's.
     *
     * @param output the model's pass
     * @param hidden {@code [rows, width, hidden]} the hidden states at the positions that predict
     *     {@code ids}
     * @param ids {@code [rows, width]} INT64 the tokens whose log-probs are taken
     * @param divisor what the logits are divided by before the log-softmax
     */
    public static TokenLogps at(ModelOutput output, NDArray hidden, NDArray ids, double divisor) {
        return ChunkedTokenScores.score(output, hidden, ids, null, divisor);
    }
}
