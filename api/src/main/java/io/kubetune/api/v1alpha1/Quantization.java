package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the frozen base weights are held in memory under LoRA, as bitsandbytes quantizes them. */
public enum Quantization {
    /** Full weights in the compute precision. */
    @JsonProperty("none")
    NONE,
    /** LLM.int8: one signed byte per weight and a float32 scale per output row (~4x smaller). */
    @JsonProperty("int8")
    INT8,
    /** QLoRA's 4-bit NormalFloat in blocks of 64 (~7.5x smaller with doubleQuant). */
    @JsonProperty("nf4")
    NF4
}
