package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Settings of the preference stages (rm, dpo, kto). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.simpoGamma) || self.loss == 'simpo'",
        message = "preference.simpoGamma is only used by loss simpo; remove it or set loss: simpo",
        fieldPath = ".simpoGamma")
@ValidationRule(
        value = "!has(self.labelSmoothing) || self.loss == 'robust'",
        message =
                "preference.labelSmoothing is only used by loss robust; remove it or set loss:"
                        + " robust",
        fieldPath = ".labelSmoothing")
public class PreferenceSpec {
    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0.1")
    @JsonPropertyDescription(
            "dpo, kto: strength of the pull towards the reference model (TRL's beta), e.g."
                    + " \"0.1\";"
                    + " orpo: weight of the odds-ratio term; simpo: reward scale.")
    public String beta = "0.1";

    @Default("sigmoid")
    @JsonPropertyDescription(
            "dpo objective: sigmoid (DPO), ipo, hinge, robust (TRL), orpo or simpo"
                    + " (LLaMA-Factory; no reference model).")
    public PreferenceLoss loss = PreferenceLoss.SIGMOID;

    @Size(max = 16)
    @Pattern(Patterns.HALF_FRACTION)
    @JsonPropertyDescription(
            "robust only: the assumed share of flipped labels, in [0, 0.5), e.g. \"0.1\".")
    public String labelSmoothing;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription("simpo only: the target reward margin gamma (default \"0.5\").")
    public String simpoGamma;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0")
    @JsonPropertyDescription(
            "dpo: weight of an added SFT loss on the chosen answers (LLaMA-Factory's pref_ftx).")
    public String ftx = "0";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription(
            "rm only: weight of the reward-centring term mean((r_chosen + r_rejected)²)"
                    + " (TRL's center_rewards_coefficient, e.g. \"0.01\"); off when unset.")
    public String centerRewards;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription(
            "kto only: weight of the desirable answers' loss (TRL's desirable_weight, default"
                    + " \"1\"). TRL advises desirableWeight × desirable answers ÷"
                    + " (undesirableWeight × undesirable answers) in [1, 4/3].")
    public String desirableWeight;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @JsonPropertyDescription(
            "kto only: weight of the undesirable answers' loss (TRL's undesirable_weight, default"
                    + " \"1\").")
    public String undesirableWeight;
}
