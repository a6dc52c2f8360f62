package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Settings of stage grpo, with the defaults of TRL 1.16's GRPOConfig. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrpoSpec {
    @Min(2)
    @Max(256)
    @Default("8")
    @JsonPropertyDescription(
            "Completions sampled per prompt, compared within their group (at least 2; default 8)."
                    + " training.batchSize counts completions and must be a multiple of it.")
    public Integer numGenerations = 8;

    @Min(1)
    @Max(8192)
    @Default("512")
    @JsonPropertyDescription("Most tokens sampled per completion (default 512).")
    public Integer maxCompletionLength = 512;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("1.0")
    @JsonPropertyDescription("Sampling temperature, also applied to the trained log-probs.")
    public String temperature = "1.0";

    @Min(0)
    @JsonPropertyDescription("Sample among the k most likely tokens only; 0 or unset for all.")
    public Integer topK;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription(
            "Sample among the smallest set of tokens whose mass reaches p, in (0, 1].")
    public String topP;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0")
    @JsonPropertyDescription(
            "Weight of the KL penalty (k3) against the reference model; 0 (default) uses no"
                    + " reference. Under LoRA the reference is the base with the adapters off.")
    public String beta = "0";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.2")
    @JsonPropertyDescription(
            "Clip range of the probability ratio, below 1 (and above unless epsilonHigh).")
    public String epsilon = "0.2";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription("Upper clip range (DAPO's clip-higher); epsilon when unset.")
    public String epsilonHigh;

    @Default("dapo")
    @JsonPropertyDescription("How the per-token loss is averaged: dapo (default), grpo or dr_grpo.")
    public GrpoLossType lossType = GrpoLossType.DAPO;

    @Default("group")
    @JsonPropertyDescription(
            "What advantages are divided by: the group's reward std (group, default), the step's"
                    + " (batch), or nothing (none).")
    public RewardScaling scaleRewards = RewardScaling.GROUP;

    @Size(min = 1, max = 8)
    @JsonPropertyDescription(
            "The rule rewards, summed with their weights: exactMatch, numericMatch, regex,"
                    + " lengthPenalty. Stage grpo needs at least one reward: a rule here or"
                    + " spec.rewardModel.")
    public List<RuleReward> rewards;

    @Size(max = 32)
    @Pattern("^-?([0-9]+(\\.[0-9]+)?|\\.[0-9]+)$")
    @Default("1")
    @JsonPropertyDescription(
            "The weight of spec.rewardModel's score in the sum of rewards, e.g. \"0.5\" (default"
                    + " 1); its metrics are rewards/<name>/mean and /std, <name> the last segment of"
                    + " spec.rewardModel.uri (the one before it for an rm run's merged/ or"
                    + " adapter/).")
    public String rewardModelWeight = "1";
}
