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
    FREEZE,
    /** Trained virtual token embeddings put before every input (PEFT prompt tuning). */
    @JsonProperty("prompt-tuning")
    PROMPT_TUNING,
    /** Trained keys and values every layer attends to first (PEFT prefix tuning). */
    @JsonProperty("prefix-tuning")
    PREFIX_TUNING,
    /** Virtual token embeddings made by a small trained encoder (PEFT P-tuning). */
    @JsonProperty("p-tuning")
    P_TUNING;

    /** Returns whether this is a prompt-learning method (virtual tokens, no weight adapters). */
    public boolean promptLearning() {
        return this == PROMPT_TUNING || this == PREFIX_TUNING || this == P_TUNING;
    }
}
