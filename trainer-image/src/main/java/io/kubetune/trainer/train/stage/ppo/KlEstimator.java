package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.model.Scalars;

/**
 * How the per-token KL to the reference is estimated from the two log-probabilities of the sampled
 * token (J. Schulman, "Approximating KL Divergence"), as TRL's PPOTrainer offers them.
 */
public enum KlEstimator {
    /** logπ − logπ_ref: unbiased, can be negative per token. */
    K1,
    /** (r − 1) − log r with r = π_ref/π: unbiased, never negative, lower variance. */
    K3;

    /**
     * @param logprobs the policy's log-probs of the sampled tokens
     * @param refLogprobs the reference's
     * @return the per-token estimate, same shape
     */
    public NDArray estimate(NDArray logprobs, NDArray refLogprobs) {
        NDArray logRatio = refLogprobs.sub(logprobs);
        return switch (this) {
            case K1 -> logRatio.neg();
            case K3 -> logRatio.exp().sub(Scalars.like(logRatio, 1)).sub(logRatio);
        };
    }
}
