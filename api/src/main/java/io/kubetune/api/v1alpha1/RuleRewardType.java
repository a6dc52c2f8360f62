package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A built-in reward computed from a completion's text; no user code runs in the trainer. */
public enum RuleRewardType {
    /** 1 when the completion, trimmed, equals the reference column's text, trimmed; else 0. */
    @JsonProperty("exactMatch")
    EXACT_MATCH,
    /** 1 when the last number in the completion equals the reference column's number; else 0. */
    @JsonProperty("numericMatch")
    NUMERIC_MATCH,
    /** 1 when the regular expression pattern is found in the completion; else 0. */
    @JsonProperty("regex")
    REGEX,
    /** −(completion tokens / maxCompletionLength): in [−1, 0], shorter is better. */
    @JsonProperty("lengthPenalty")
    LENGTH_PENALTY
}
