package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where a Hugging Face-format model (config.json, safetensors, tokenizer.json) is read from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSource {
    @Required
    @Size(max = 1024)
    @Pattern(Patterns.MODEL_URI)
    @JsonPropertyDescription(
            "The base model: hf://org/name[@revision] on the Hugging Face hub,"
                    + " s3://bucket/prefix holding a model folder, or an absolute path on a"
                    + " mounted volume.")
    public String uri;

    @JsonPropertyDescription(
            "Secret with the credentials to read the model (HF_TOKEN for gated hub models, or"
                    + " S3 keys).")
    public SecretReference secretRef;
}
