package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Partial fine-tuning: only the last layers learn. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FreezeSpec {
    @Min(1)
    @Max(1000)
    @Default("2")
    @JsonPropertyDescription("How many of the last transformer layers are trained.")
    public Integer trainableLayers = 2;
}
