package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** State and results of an evaluation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalJobStatus extends JobStatus {
    @JsonPropertyDescription("One result per task.")
    public List<EvalResult> results;

    @JsonPropertyDescription("The first task, for kubectl get.")
    public String task;

    @JsonPropertyDescription(
            "The first task's headline score (acc_norm for hellaswag, perplexity for"
                    + " perplexity), for kubectl get.")
    public Double score;
}
