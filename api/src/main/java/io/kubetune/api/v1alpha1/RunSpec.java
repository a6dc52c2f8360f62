package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** How either kind of job runs on the cluster: pod resources and the run policy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class RunSpec {
    @JsonPropertyDescription("CPU, memory, GPUs and placement of the trainer pod.")
    public ResourcesSpec resources;

    @Size(max = 512)
    @JsonPropertyDescription("Trainer image; the operator's configured image when unset.")
    public String image;

    @Default("false")
    @JsonPropertyDescription(
            "true stops the pod after writing a checkpoint; false again resumes from it.")
    public Boolean suspend = false;

    @Min(1)
    @JsonPropertyDescription("Fail the job when it has run longer than this, across attempts.")
    public Long activeDeadlineSeconds;

    @Min(0)
    @Max(100)
    @Default("3")
    @JsonPropertyDescription(
            "Attempts after a resumable failure (eviction, preemption, node loss) before the job"
                    + " fails.")
    public Integer backoffLimit = 3;

    @Min(0)
    @JsonPropertyDescription("Delete the finished resource and its pods after this many seconds.")
    public Long ttlSecondsAfterFinished;

    @Size(max = 63)
    @Pattern(Patterns.DNS_LABEL)
    @JsonPropertyDescription(
            "Kueue LocalQueue to submit to; the Job is labelled kueue.x-k8s.io/queue-name and"
                    + " starts suspended until Kueue admits it.")
    public String queueName;
}
