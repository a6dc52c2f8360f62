package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.api.v1alpha1.GrpoLossType;
import io.kubetune.api.v1alpha1.GrpoSpec;
import io.kubetune.api.v1alpha1.RewardScaling;
import io.kubetune.api.v1alpha1.RuleReward;
import java.util.List;

/**
 * spec.grpo parsed once, with TRL 1.16 GRPOConfig's defaults.
 *
 * @param topK 0 for all tokens
 * @param topP 1 for all tokens
 * @param rewardModelWeight spec.rewardModel's weight in the sum of rewards (when there is one)
 */
public record GrpoSettings(
        int numGenerations,
        int maxCompletionLength,
        double temperature,
        int topK,
        double topP,
        double beta,
        double epsilonLow,
        double epsilonHigh,
        GrpoLossType lossType,
        RewardScaling scaleRewards,
        List<RuleReward> rewards,
        double rewardModelWeight) {

    public static GrpoSettings of(GrpoSpec spec) {
        GrpoSpec s = spec == null ? new GrpoSpec() : spec;
        double epsilon = decimal(s.epsilon, 0.2);
        return new GrpoSettings(
                s.numGenerations == null ? 8 : s.numGenerations,
                s.maxCompletionLength == null ? 512 : s.maxCompletionLength,
                decimal(s.temperature, 1.0),
                s.topK == null ? 0 : s.topK,
                decimal(s.topP, 1.0),
                decimal(s.beta, 0.0),
                epsilon,
                decimal(s.epsilonHigh, epsilon),
                s.lossType == null ? GrpoLossType.DAPO : s.lossType,
                s.scaleRewards == null ? RewardScaling.GROUP : s.scaleRewards,
                s.rewards == null ? List.of() : List.copyOf(s.rewards),
                decimal(s.rewardModelWeight, 1.0));
    }

    private static double decimal(String value, double fallback) {
        return value == null || value.isBlank() ? fallback : Double.parseDouble(value);
    }
}
