package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The result of one benchmark task. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalResult {
    @JsonPropertyDescription("hellaswag or perplexity.")
    public String task;

    @JsonPropertyDescription("Accuracy: the ending with the highest log-likelihood is right.")
    public Double acc;

    @JsonPropertyDescription("Standard error of acc.")
    public Double accStderr;

    @JsonPropertyDescription(
            "Accuracy with log-likelihoods divided by the ending's length in characters.")
    public Double accNorm;

    @JsonPropertyDescription("Standard error of accNorm.")
    public Double accNormStderr;

    @JsonPropertyDescription("Perplexity (perplexity task).")
    public Double perplexity;

    @JsonPropertyDescription("Items scored.")
    public Integer n;

    @JsonPropertyDescription("The model evaluated.")
    public String model;

    @JsonPropertyDescription("The adapter applied, if any.")
    public String adapter;

    @JsonPropertyDescription("Wall-clock seconds the task took.")
    public Double durationSeconds;
}
