package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The reward model that scores rollouts (stages ppo and grpo): a sequence-classification model with
 * its score head, by URI or as the model a FineTuneJob of stage rm wrote.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.uri) != has(self.fineTuneJobRef)",
        message = "set exactly one of rewardModel.uri or rewardModel.fineTuneJobRef")
public class RewardModelSource {
    @Size(max = 1024)
    @Pattern(Patterns.MODEL_URI)
    @JsonPropertyDescription(
            "A reward model folder (HF format, with its score head, e.g. a stage rm run's merged"
                    + " model), fetched as the base model is: hf://org/name[@revision],"
                    + " s3://bucket/prefix, or a path on a mounted volume.")
    public String uri;

    @JsonPropertyDescription(
            "Use the reward model this FineTuneJob of stage rm (same namespace) wrote: its merged"
                    + " model, or, from a LoRA job without spec.output.mergeModel, its adapter,"
                    + " which the trainer applies to this job's base (the rm job must have trained"
                    + " on the model this job starts from); this job waits until it succeeded.")
    public FineTuneJobRef fineTuneJobRef;

    @JsonPropertyDescription("Credentials to read the reward model.")
    public SecretReference secretRef;
}
