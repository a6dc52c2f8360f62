package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubetune.api.v1alpha1.JobStatus;
import io.kubetune.api.v1alpha1.RunSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a decision is made from: the job (its name, generation and run spec), the status the
 * operator last wrote, the Jobs and pods it owns, the time, and how often to look without events.
 */
public record Observation(
        HasMetadata owner,
        RunSpec run,
        JobStatus status,
        List<Job> jobs,
        List<Pod> pods,
        Instant now,
        Duration resync) {}
