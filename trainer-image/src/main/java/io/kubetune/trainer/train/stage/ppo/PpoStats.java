package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics TRL's PPOTrainer logs after each rollout batch, under its names: the rollout's
 * objective/* and the per-micro-batch policy/*, loss/* and val/* averaged over all PPO epochs and
 * micro-batches of the batch.
 */
public final class PpoStats {
    private final List<float[]> microBatches = new ArrayList<>();

    /**
     * Records one micro-batch.
     *
     * @param loss its loss and statistics
     * @param entropy its mean entropy ({@link PpoLoss#entropy})
     */
    public void add(PpoLoss loss, float entropy) {
        microBatches.add(
                new float[] {
                    loss.approxKl(),
                    loss.policyClipFraction(),
                    loss.policyLoss().getFloat(),
                    loss.valueLoss().getFloat(),
                    loss.valueClipFraction(),
                    entropy,
                    loss.ratioMean()
                });
    }

    /**
     * @param rollout the batch's rollout
     * @param eosTokens how many EOS tokens the sampled (untruncated) responses hold
     * @return the metrics, named as TRL logs them
     */
    public Map<String, Float> metrics(RolloutAdvantages rollout, long eosTokens) {
        Map<String, Float> m = new LinkedHashMap<>();
        TokenRewards rewards = rollout.rewards();
        float nonScore = rowSumMean(rewards.nonScore());
        float scores = rollout.scores().mean().getFloat();
        m.put("objective/kl", rowSumMean(rewards.kl()));
        NDArray kept = rollout.masks().tokens().toType(rollout.logprobs().getDataType(), false);
        m.put("objective/entropy", rowSumMean(rollout.logprobs().neg().mul(kept)));
        m.put("objective/non_score_reward", nonScore);
        m.put("objective/rlhf_reward", nonScore + scores);
        m.put("objective/scores", scores);
        m.put("policy/approxkl_avg", average(0));
        m.put("policy/clipfrac_avg", average(1));
        m.put("loss/policy_avg", average(2));
        m.put("loss/value_avg", average(3));
        m.put("val/clipfrac_avg", average(4));
        m.put("policy/entropy_avg", average(5));
        m.put("val/ratio", average(6));
        m.put("val/ratio_var", variance(6));
        m.put("val/num_eos_tokens", (float) eosTokens);
        return m;
    }

    private static float rowSumMean(NDArray perToken) {
        return perToken.sum(new int[] {1}).mean().getFloat();
    }

    private float average(int column) {
        double sum = 0;
        for (float[] row : microBatches) {
            sum += row[column];
        }
        return (float) (sum / microBatches.size());
    }

    /** Unbiased, as torch.var; NaN for one micro-batch, as torch gives. */
    private float variance(int column) {
        double mean = average(column);
        double squares = 0;
        for (float[] row : microBatches) {
            squares += (row[column] - mean) * (row[column] - mean);
        }
        return (float) (squares / (microBatches.size() - 1));
    }
}
