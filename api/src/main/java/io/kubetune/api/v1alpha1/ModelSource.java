package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where a Hugging Face-format model (config.json, safetensors, tokenizer.json) is read from: a URI,
 * or the model another FineTuneJob wrote (the operator writes its URI into the trainer's job file).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.uri) != has(self.fineTuneJobRef)",
        message = "set exactly one of model.uri or model.fineTuneJobRef")
public class ModelSource {
    @Size(max = 1024)
    @Pattern(Patterns.MODEL_URI)
    @JsonPropertyDescription(
            "The base model: hf://org/name[@revision] on the Hugging Face hub,"
                    + " s3://bucket/prefix holding a model folder, or an absolute path on a"
                    + " mounted volume.")
    public String uri;

    @JsonPropertyDescription(
            "Start from the model this FineTuneJob (same namespace) wrote: its merged or fully"
                    + " trained model (a LoRA job needs spec.output.mergeModel). This job waits in"
                    + " Pending (WaitingForDependency) until that one succeeded, and fails"
                    + " (DependencyFailed) if it failed.")
    public FineTuneJobRef fineTuneJobRef;

    @JsonPropertyDescription(
            "Secret with the credentials to read the model (HF_TOKEN for gated hub models, or"
                    + " S3 keys).")
    public SecretReference secretRef;
}
