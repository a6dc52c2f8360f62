package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How often a resumable checkpoint is written to the output. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointSpec {
    @Min(1)
    @Default("100")
    @JsonPropertyDescription("Write a checkpoint every this many optimizer steps.")
    public Integer everySteps = 100;

    @Min(1)
    @Max(100)
    @Default("3")
    @JsonPropertyDescription("Keep the newest this many checkpoints; older ones are deleted.")
    public Integer keepLast = 3;

    @Default("same-job")
    @JsonPropertyDescription(
            "Whose checkpoints in spec.output.uri a new pod resumes from: same-job (only this"
                    + " FineTuneJob's, so its retries resume but a re-created job of the same name"
                    + " is refused) or any-job (also an earlier FineTuneJob's, when its spec"
                    + " matches). To start again instead, write to a new spec.output.uri.")
    public CheckpointResume resume = CheckpointResume.SAME_JOB;
}
