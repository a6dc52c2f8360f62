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
@ValidationRule(
        value = "!has(self.adapter) || (has(self.uri) && has(self.adapter.uri))",
        message =
                "model.adapter needs model.uri and model.adapter.uri; to start from another"
                        + " FineTuneJob's base plus adapter, set only model.fineTuneJobRef")
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
                    + " trained model, or, for a LoRA job without spec.output.mergeModel, its base"
                    + " plus its adapter. This job waits in"
                    + " Pending (WaitingForDependency) until that one succeeded, and fails"
                    + " (DependencyFailed) if it failed.")
    public FineTuneJobRef fineTuneJobRef;

    @JsonPropertyDescription(
            "A PEFT LoRA (or DoRA) adapter folded into the model's weights before anything else,"
                    + " as PEFT's merge_and_unload: the job starts from base plus adapter. Prompt"
                    + " learning adapters cannot be merged and are refused. The operator sets it"
                    + " when model.fineTuneJobRef names a LoRA job without output.mergeModel.")
    public AdapterSource adapter;

    @JsonPropertyDescription(
            "Secret with the credentials to read the model (HF_TOKEN for gated hub models, or"
                    + " S3 keys).")
    public SecretReference secretRef;
}
