package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * The MLflow run an EvalJob adds its results to: the run of the FineTuneJob whose adapter it
 * evaluates, so training curves and benchmark scores sit side by side.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalTrackingSpec {
    @Required
    @JsonPropertyDescription(
            "The tracking server and its credentials; by default the FineTuneJob's"
                    + " spec.tracking.mlflow when spec.adapter.fineTuneJobRef names one.")
    public MlflowSpec mlflow;

    @Required
    @Size(max = 64)
    @Pattern("^[A-Za-z0-9_-]+$")
    @JsonPropertyDescription(
            "The MLflow run the results are logged to (as metrics <task>/<metric>); by default"
                    + " the FineTuneJob's status.mlflow.runId.")
    public String runId;
}
