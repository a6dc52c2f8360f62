package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator reports on either kind: state, conditions, times, attempts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class JobStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription(
            "Pending, Running, Suspended, Evaluating, Succeeded or Failed; the conditions say"
                    + " why.")
    public JobState state;

    @JsonPropertyDescription(
            "Running, Suspended, Succeeded, Failed, Evaluated and Reconciled, each with a CamelCase"
                    + " reason.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("When the first attempt started (RFC 3339).")
    public String startTime;

    @JsonPropertyDescription("When the job finished (RFC 3339).")
    public String completionTime;

    @JsonPropertyDescription("Attempts started so far; a resumed attempt counts as a new one.")
    public Integer attempts;

    @JsonPropertyDescription("A human-readable line about the latest transition.")
    public String message;
}
