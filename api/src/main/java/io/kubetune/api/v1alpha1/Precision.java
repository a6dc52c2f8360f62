package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Number format of the computation. */
public enum Precision {
    /** bf16 on GPUs of compute capability 8.0+, fp16 on older GPUs, fp32 on CPU. */
    @JsonProperty("auto")
    AUTO,
    @JsonProperty("fp32")
    FP32,
    @JsonProperty("fp16")
    FP16,
    /** GPUs of compute capability 8.0+ only. */
    @JsonProperty("bf16")
    BF16
}
