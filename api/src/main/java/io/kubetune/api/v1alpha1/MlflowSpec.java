package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * An MLflow tracking server, and the Secret with its credentials: MLFLOW_TRACKING_TOKEN, or
 * MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MlflowSpec {
    @Required
    @Size(max = 1024)
    @Pattern("^https?://[^\\s/@]+(/\\S*)?$")
    @JsonPropertyDescription("The tracking server, e.g. http://mlflow.mlflow.svc:5000.")
    public String trackingUri;

    @Size(max = 250)
    @JsonPropertyDescription("The experiment (created if missing); default: the job's namespace.")
    public String experiment;

    @JsonPropertyDescription(
            "Secret whose keys MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and"
                    + " MLFLOW_TRACKING_PASSWORD, are passed to the trainer (only those keys);"
                    + " none for a server without authentication.")
    public SecretReference secretRef;
}
