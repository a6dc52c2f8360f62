package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A complete checkpoint the job can resume from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointRef {
    @JsonPropertyDescription("Optimizer step the checkpoint was taken at.")
    public Long step;

    @JsonPropertyDescription("Where it is, e.g. s3://bucket/run/checkpoints/step-000200.")
    public String uri;

    @JsonPropertyDescription("When it became complete (RFC 3339).")
    public String time;
}
