package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Progress the trainer reports while it runs (its own field manager writes these). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingProgress {
    @JsonPropertyDescription("Optimizer steps done.")
    public Long step;

    @JsonPropertyDescription("Optimizer steps planned.")
    public Long totalSteps;

    @JsonPropertyDescription("Fractional epoch reached.")
    public Double epoch;

    @JsonPropertyDescription("step / totalSteps in percent, 0 to 100.")
    public Integer percent;

    @JsonPropertyDescription("Training loss, averaged since the last report.")
    public Double loss;

    @JsonPropertyDescription("Latest validation loss.")
    public Double evalLoss;

    @JsonPropertyDescription("Current learning rate.")
    public Double learningRate;

    @JsonPropertyDescription("Training throughput in tokens per second.")
    public Double tokensPerSecond;

    @JsonPropertyDescription("Estimated seconds until training ends.")
    public Long etaSeconds;

    @Size(max = 32)
    @JsonPropertyDescription(
            "The stage's own metrics (training ones averaged since the last report, eval_ ones from"
                    + " the latest evaluation), by name.")
    public List<TrainingMetric> metrics;

    @JsonPropertyDescription("When the trainer last reported (RFC 3339).")
    public String updateTime;
}
