package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.model.Scalars;

/**
 * The per-token rewards PPO maximises: −klCoef·KL at every response token, plus the reward model's
 * score at the position after the last real token (TRL puts it at sequence_length + 1, or at the
 * last position when the response fills the whole length).
 *
 * @param kl [B, L] the per-token KL estimate (0 on padding, whose log-probs are equal)
 * @param nonScore [B, L] −klCoef·kl
 * @param rewards [B, L] nonScore with the score added, whitened when the settings say so
 */
public record TokenRewards(NDArray kl, NDArray nonScore, NDArray rewards) {

    /**
     * @param logprobs [B, L] the rollout policy's log-probs, {@link ResponseMasks#INVALID_LOGPROB}
     *     on padding
     * @param refLogprobs [B, L] the reference's, likewise
     * @param scores [B] the reward model's scores
     */
    public static TokenRewards of(
            NDArray logprobs,
            NDArray refLogprobs,
            NDArray scores,
            ResponseMasks masks,
            PpoSettings settings) {
        NDArray kl = settings.klEstimator().estimate(logprobs, refLogprobs);
        NDArray nonScore = kl.mul(Scalars.like(kl, -settings.klCoef()));
        long length = kl.getShape().get(1);
        NDArray afterLast = masks.sequenceLengths().add(kl.getManager().create(1L));
        NDArray scoreAt =
                afterLast.lt(kl.getManager().create(length)).toType(afterLast.getDataType(), false);
        // where(sequence_length + 1 < L, sequence_length + 1, sequence_length)
        NDArray end = masks.sequenceLengths().add(scoreAt);
        NDArray positions =
                kl.getManager().arange(0, (int) length, 1, end.getDataType()).reshape(1, length);
        NDArray scoreColumn =
                positions
                        .eq(end.reshape(-1, 1))
                        .toType(kl.getDataType(), false)
                        .mul(scores.reshape(-1, 1));
        NDArray rewards = nonScore.add(scoreColumn);
        if (settings.whitenRewards()) {
            rewards = MaskedStats.whiten(rewards, masks.valueTokens(), false);
            rewards = Masks.fill(rewards, masks.paddingP1(), 0f);
        }
        return new TokenRewards(kl, nonScore, rewards);
    }
}
