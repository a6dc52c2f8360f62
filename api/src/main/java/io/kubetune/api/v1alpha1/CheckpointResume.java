package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whose checkpoints in spec.output.uri a new trainer pod resumes from. */
public enum CheckpointResume {
    /**
     * Only checkpoints this FineTuneJob (its uid) wrote: its own retries resume, a job re-created
     * with the same name and output is refused rather than continuing an older run.
     */
    @JsonProperty("same-job")
    SAME_JOB,
    /** Also checkpoints an earlier FineTuneJob wrote to the same output, if its spec matches. */
    @JsonProperty("any-job")
    ANY_JOB
}
