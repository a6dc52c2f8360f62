package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What GRPO divides a reward's distance from its group's mean by (TRL's scale_rewards). */
public enum RewardScaling {
    /** The standard deviation of the rewards in the prompt's group. */
    @JsonProperty("group")
    GROUP,
    /** The standard deviation of all the step's rewards. */
    @JsonProperty("batch")
    BATCH,
    /** Nothing: advantages are rewards minus the group's mean. */
    @JsonProperty("none")
    NONE
}
