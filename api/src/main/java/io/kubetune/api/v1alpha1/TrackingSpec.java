package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Where the run's curves go besides metrics.jsonl and loss.png. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrackingSpec {
    @Default("false")
    @JsonPropertyDescription(
            "Write TensorBoard event files under the output's tensorboard/ (uploaded as the run"
                    + " goes), so `tensorboard --logdir <output uri>` shows every metric.")
    public Boolean tensorboard = false;

    @JsonPropertyDescription(
            "Log params, per-step metrics, tags and the result URIs to an MLflow run; its id and"
                    + " URL go on the status.")
    public MlflowSpec mlflow;
}
