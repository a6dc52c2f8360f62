package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A PEFT LoRA adapter applied on top of the model. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.uri) != has(self.fineTuneJobRef)",
        message = "set exactly one of adapter.uri or adapter.fineTuneJobRef")
public class AdapterSource {
    @Size(max = 1024)
    @Pattern(Patterns.MODEL_URI)
    @JsonPropertyDescription(
            "Folder with adapter_config.json and adapter_model.safetensors: hf://, s3:// or a"
                    + " path.")
    public String uri;

    @JsonPropertyDescription("Use the adapter of this FineTuneJob.")
    public FineTuneJobRef fineTuneJobRef;

    @JsonPropertyDescription("Credentials to read the adapter.")
    public SecretReference secretRef;
}
