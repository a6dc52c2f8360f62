package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How GRPO averages its per-token loss (TRL's loss_type). */
public enum GrpoLossType {
    /** Sum over the step's completion tokens divided by their count (TRL's default). */
    @JsonProperty("dapo")
    DAPO,
    /** Mean over each completion's tokens, then over completions. */
    @JsonProperty("grpo")
    GRPO,
    /** Sum over tokens divided by completions × maxCompletionLength (no length bias). */
    @JsonProperty("dr_grpo")
    DR_GRPO
}
