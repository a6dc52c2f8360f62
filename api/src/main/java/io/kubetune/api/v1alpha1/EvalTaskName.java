package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Benchmarks the evaluator runs. */
public enum EvalTaskName {
    /** Hellaswag 0-shot, scored exactly as lm-evaluation-harness scores it (acc, acc_norm). */
    @JsonProperty("hellaswag")
    HELLASWAG,
    /** Perplexity of the model on a text or instruction dataset. */
    @JsonProperty("perplexity")
    PERPLEXITY
}
