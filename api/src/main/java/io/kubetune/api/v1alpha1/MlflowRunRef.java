package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The MLflow run a FineTuneJob logs to (spec.tracking.mlflow). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MlflowRunRef {
    @JsonPropertyDescription("The MLflow experiment's id.")
    public String experimentId;

    @JsonPropertyDescription("The MLflow run's id.")
    public String runId;

    @JsonPropertyDescription("The run in the MLflow UI.")
    public String url;
}
