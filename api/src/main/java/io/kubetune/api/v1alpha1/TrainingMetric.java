package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One named metric of the training stage, as Kubeflow Trainer's trainerStatus metrics. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingMetric {
    @Required
    @Size(min = 1, max = 64)
    @JsonPropertyDescription(
            "The metric's name as the reference trainer logs it, e.g. mean_token_accuracy,"
                    + " rewards/margins; eval_ in front for the held-out data.")
    public String name;

    @Required
    @Size(min = 1, max = 32)
    @JsonPropertyDescription("Its value as a decimal string, e.g. \"0.8125\".")
    public String value;

    public TrainingMetric() {}

    public TrainingMetric(String name, String value) {
        this.name = name;
        this.value = value;
    }
}
