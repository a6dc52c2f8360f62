package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Learning-rate schedule after warm-up. */
public enum Scheduler {
    @JsonProperty("constant")
    CONSTANT,
    @JsonProperty("linear")
    LINEAR,
    @JsonProperty("cosine")
    COSINE
}
