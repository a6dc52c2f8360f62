package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which weights are trained. */
public enum MethodType {
    /** Low-rank adapters on chosen linear layers; the base weights stay frozen. */
    @JsonProperty("lora")
    LORA,
    /** Every weight. */
    @JsonProperty("full")
    FULL,
    /** Only the last N transformer layers. */
    @JsonProperty("freeze")
    FREEZE
}
