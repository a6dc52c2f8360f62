package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Scalars;

/**
 * The response tokens' log-probabilities as TRL's PPOTrainer takes them: logits at the positions
 * before each response token, divided by temperature + 1e-7, log-softmax, the sampled token's
 * entry. Only those positions go through the LM head.
 *
 * @param logprobs [B, L] F32, differentiable when the pass is
 * @param logits [B, L, V] F32 the temperature-scaled logits (for the entropy statistic)
 */
public record ResponseLogprobs(NDArray logprobs, NDArray logits) {

    public static ResponseLogprobs of(ModelOutput output, QueryResponses rows, double temperature) {
        NDArray hidden = output.hidden().get(rows.predictingPositions() + ", :");
        NDArray logits = DifferentiableCast.to(output.logitsOf(hidden), DataType.FLOAT32);
        NDArray scaled =
                logits.div(Scalars.like(logits, temperature + PpoSettings.TEMPERATURE_EPSILON));
        NDArray ids = rows.responses().expandDims(-1);
        NDArray logprobs = scaled.logSoftmax(-1).gather(ids, 2).squeeze(-1);
        return new ResponseLogprobs(logprobs, scaled);
    }
}
