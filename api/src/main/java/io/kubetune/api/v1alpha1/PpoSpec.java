package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Settings of stage ppo, named and defaulted as TRL's PPOConfig (trl/experimental/ppo, trl 1.12.0,
 * the last release that has it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PpoSpec {
    /** A fraction in (0, 1]: "1", "0.95", ".99". */
    static final String UNIT_INTERVAL = "^(1(\\.0*)?|0?\\.[0-9]*[1-9][0-9]*)$";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.05")
    @JsonPropertyDescription(
            "Weight of the per-token KL penalty against the reference model in the reward"
                    + " (TRL's kl_coef), e.g. \"0.05\".")
    public String klCoef = "0.05";

    @Default("k1")
    @JsonPropertyDescription(
            "How the per-token KL is estimated: k1 (log-ratio) or k3 (never negative, lower"
                    + " variance).")
    public KlEstimator klEstimator = KlEstimator.K1;

    @Size(max = 16)
    @Pattern(UNIT_INTERVAL)
    @Default("1")
    @JsonPropertyDescription("Discount over response tokens, in (0, 1] (TRL's gamma).")
    public String gamma = "1";

    @Size(max = 16)
    @Pattern(UNIT_INTERVAL)
    @Default("0.95")
    @JsonPropertyDescription("GAE's lambda, in (0, 1] (TRL's lam).")
    public String lam = "0.95";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.2")
    @JsonPropertyDescription(
            "How far the policy ratio may move from 1 before its gain is clipped (TRL's"
                    + " cliprange).")
    public String clipRange = "0.2";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.2")
    @JsonPropertyDescription(
            "How far a value may move from its rollout value before the value loss clips it"
                    + " (TRL's cliprange_value).")
    public String clipRangeValue = "0.2";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.1")
    @JsonPropertyDescription("Weight of the value loss in the total loss (TRL's vf_coef).")
    public String vfCoef = "0.1";

    @Default("false")
    @JsonPropertyDescription(
            "Whiten the per-token rewards of each rollout batch, keeping their mean (TRL's"
                    + " whiten_rewards).")
    public Boolean whitenRewards = false;

    @Min(1)
    @Max(64)
    @Default("4")
    @JsonPropertyDescription("Passes over each rollout batch (TRL's num_ppo_epochs).")
    public Integer ppoEpochs = 4;

    @Min(1)
    @Max(1024)
    @Default("1")
    @JsonPropertyDescription(
            "Optimizer steps per pass over a rollout batch, which is split into this many"
                    + " mini-batches (TRL's num_mini_batches).")
    public Integer miniBatches = 1;

    @Min(1)
    @Max(8192)
    @Default("53")
    @JsonPropertyDescription("Most tokens sampled per response (TRL's response_length).")
    public Integer responseLength = 53;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.7")
    @JsonPropertyDescription("Sampling temperature of the rollouts (TRL's temperature).")
    public String temperature = "0.7";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription(
            "Subtracted from the score of a response that never ends with the EOS token (TRL's"
                    + " missing_eos_penalty); unset: no penalty.")
    public String missingEosPenalty;
}
