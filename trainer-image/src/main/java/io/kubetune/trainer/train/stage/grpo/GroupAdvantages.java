package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.api.v1alpha1.RewardScaling;

/**
 * GRPO's advantages, as TRL 1.16's {@code _generate_and_score_completions} computes them from the
 * summed rewards of one generation batch: each reward minus its group's mean, divided by the
 * group's (or the batch's) Bessel-corrected standard deviation plus 1e-4, or not divided.
 *
 * @param advantages one per completion, in the rewards' order
 * @param zeroStdFraction the share of completions whose group's rewards are all equal (TRL's {@code
 *     frac_reward_zero_std}, read from the std the advantages are divided by)
 */
public record GroupAdvantages(float[] advantages, double zeroStdFraction) {
    private static final double EPSILON = 1e-4;

    /**
     * @param rewards the summed rewards, {@code groupSize} consecutive completions per prompt
     * @param groupSize completions per prompt (numGenerations)
     * @param scaling what the distance from the group's mean is divided by
     */
    public static GroupAdvantages of(float[] rewards, int groupSize, RewardScaling scaling) {
        if (groupSize < 2 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException(
                    rewards.length + " rewards do not make groups of " + groupSize);
        }
        double batchStd = std(rewards, 0, rewards.length);
        float[] advantages = new float[rewards.length];
        int zeroStd = 0;
        for (int start = 0; start < rewards.length; start += groupSize) {
            double mean = mean(rewards, start, groupSize);
            double std = scaling == RewardScaling.BATCH ? batchStd : std(rewards, start, groupSize);
            for (int i = start; i < start + groupSize; i++) {
                double advantage = rewards[i] - mean;
                if (scaling != RewardScaling.NONE) {
                    advantage /= std + EPSILON;
                }
                advantages[i] = (float) advantage;
                zeroStd += Math.abs(std) <= 1e-8 ? 1 : 0;
            }
        }
        return new GroupAdvantages(advantages, (double) zeroStd / rewards.length);
    }

    static double mean(float[] values, int start, int count) {
        double sum = 0;
        for (int i = start; i < start + count; i++) {
            sum += values[i];
        }
        return sum / count;
    }

    /** The Bessel-corrected standard deviation (torch.std), 0 for a single value. */
    static double std(float[] values, int start, int count) {
        if (count < 2) {
            return 0;
        }
        double mean = mean(values, start, count);
        double squares = 0;
        for (int i = start; i < start + count; i++) {
            squares += (values[i] - mean) * (values[i] - mean);
        }
        return Math.sqrt(squares / (count - 1));
    }
}
