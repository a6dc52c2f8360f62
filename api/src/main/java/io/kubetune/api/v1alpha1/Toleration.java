package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * A pod toleration, as in core/v1, with bounded fields so the CRD's CEL rules stay within the API
 * server's cost budget.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Toleration {
    @Size(max = 316)
    @JsonPropertyDescription("Taint key to tolerate; empty with operator Exists matches all.")
    public String key;

    @Pattern("^(Exists|Equal)$")
    @JsonPropertyDescription("Exists or Equal (default Equal).")
    public String operator;

    @Size(max = 63)
    @JsonPropertyDescription("Taint value to match with operator Equal.")
    public String value;

    @Pattern("^(NoSchedule|PreferNoSchedule|NoExecute)$")
    @JsonPropertyDescription("Taint effect to match; empty matches all.")
    public String effect;

    @Min(0)
    @JsonPropertyDescription("With NoExecute: how long the pod stays bound after the taint.")
    public Long tolerationSeconds;
}
