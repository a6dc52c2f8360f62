package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * What a rollout batch gives the PPO epochs, computed once without gradients as TRL's PPOTrainer
 * does between sampling and training: log-probs with padding set to {@link
 * ResponseMasks#INVALID_LOGPROB}, values zeroed past the score position, the KL-penalised rewards,
 * the returns, and advantages whitened over the response tokens and 0 on padding.
 *
 * @param logprobs [B, L] the rollout policy's log-probs (the old policy of the ratio)
 * @param refLogprobs [B, L] the reference's
 * @param values [B, L] the rollout values (the old values of the value clip)
 * @param scores [B] the reward model's scores, the missing-EOS penalty applied
 * @param rewards the per-token rewards and their KL
 * @param advantages [B, L] whitened advantages
 * @param returns [B, L] value targets
 * @param masks which positions count
 */
public record RolloutAdvantages(
        NDArray logprobs,
        NDArray refLogprobs,
        NDArray values,
        NDArray scores,
        TokenRewards rewards,
        NDArray advantages,
        NDArray returns,
        ResponseMasks masks) {

    /**
     * @param logprobs [B, L] log-probs of the sampled tokens under the rollout policy
     * @param refLogprobs [B, L] under the reference
     * @param values [B, L] the value head at the position before each response token
     * @param scores [B] the reward model's scores of the truncated responses
     */
    public static RolloutAdvantages of(
            NDArray logprobs,
            NDArray refLogprobs,
            NDArray values,
            NDArray scores,
            ResponseMasks masks,
            PpoSettings settings) {
        NDArray old = Masks.fill(logprobs, masks.padding(), ResponseMasks.INVALID_LOGPROB);
        NDArray ref = Masks.fill(refLogprobs, masks.padding(), ResponseMasks.INVALID_LOGPROB);
        NDArray oldValues = Masks.fill(values, masks.paddingP1(), 0f);
        TokenRewards rewards = TokenRewards.of(old, ref, scores, masks, settings);
        Gae gae = Gae.of(rewards.rewards(), oldValues, settings.gamma(), settings.lam());
        NDArray advantages = MaskedStats.whiten(gae.advantages(), masks.tokens(), true);
        advantages = Masks.fill(advantages, masks.padding(), 0f);
        return new RolloutAdvantages(
                old, ref, oldValues, scores, rewards, advantages, gae.returns(), masks);
    }

    /**
     * The rows {@code indices} of every array, in that order: one micro-batch of the PPO epochs.
     */
    public RolloutAdvantages rows(int[] indices) {
        return new RolloutAdvantages(
                rowsOf(logprobs, indices),
                rowsOf(refLogprobs, indices),
                rowsOf(values, indices),
                rowsOf(scores, indices),
                new TokenRewards(
                        rowsOf(rewards.kl(), indices),
                        rowsOf(rewards.nonScore(), indices),
                        rowsOf(rewards.rewards(), indices)),
                rowsOf(advantages, indices),
                rowsOf(returns, indices),
                new ResponseMasks(
                        rowsOf(masks.sequenceLengths(), indices),
                        rowsOf(masks.padding(), indices),
                        rowsOf(masks.paddingP1(), indices)));
    }

    private static NDArray rowsOf(NDArray array, int[] indices) {
        NDList rows = new NDList(indices.length);
        for (int index : indices) {
            rows.add(array.get(index));
        }
        return NDArrays.stack(rows, 0);
    }

    /**
     * The score after TRL's missing-EOS penalty: responses without the EOS token lose {@code
     * penalty}.
     *
     * @param scores [B]
     * @param responses [B, L] truncated responses
     */
    public static float[] penaliseMissingEos(
            float[] scores, long[][] responses, long eosTokenId, Double penalty) {
        float[] out = scores.clone();
        if (penalty == null) {
            return out;
        }
        for (int b = 0; b < responses.length; b++) {
            boolean stopped = false;
            for (long token : responses[b]) {
                stopped |= token == eosTokenId;
            }
            if (!stopped) {
                out[b] -= penalty.floatValue();
            }
        }
        return out;
    }
}
