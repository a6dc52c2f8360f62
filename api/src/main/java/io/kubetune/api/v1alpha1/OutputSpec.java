package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where checkpoints, adapters, merged models and metrics are written. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {
    @Required
    @Size(max = 1024)
    @Pattern(Patterns.S3_URI)
    @JsonPropertyDescription(
            "S3 (or S3-compatible, e.g. MinIO) prefix: s3://bucket/prefix. Checkpoints go to"
                    + " checkpoints/, the adapter to adapter/, the merged model to merged/.")
    public String uri;

    @JsonPropertyDescription(
            "Secret with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optionally"
                    + " AWS_ENDPOINT_URL and AWS_REGION.")
    public SecretReference secretRef;

    @Default("false")
    @JsonPropertyDescription("Also write the base model with the adapter merged in, in HF format.")
    public Boolean mergeModel = false;
}
