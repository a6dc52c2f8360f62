package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How PPO estimates the per-token KL to the reference model (TRL's kl_estimator). */
public enum KlEstimator {
    /** log π − log π_ref: unbiased, may be negative per token. */
    @JsonProperty("k1")
    K1,
    /** (r − 1) − log r, r = π_ref/π: unbiased, never negative, lower variance. */
    @JsonProperty("k3")
    K3
}
