package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.JobStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Decider} decided: the action, the status it implies, when to look again, the Warning
 * events to record once the status is written, and the outcome annotation the current attempt's Job
 * gets first (pods go away, the annotation stays).
 *
 * @param action what to do on the cluster
 * @param status the status after it (a copy: the observed one is not changed)
 * @param requeueAfter when to look again without an event; empty: only on events
 * @param warnings Warning events, each (reason, message)
 * @param outcomeMark the reason to annotate the current Job with, if it is not annotated yet
 */
public record Decision(
        Action action,
        JobStatus status,
        Optional<Duration> requeueAfter,
        List<Warning> warnings,
        Optional<String> outcomeMark) {

    /** A Warning event on the job. */
    public record Warning(String reason, String message) {}

    Decision with(Action next, Optional<Duration> requeue, List<Warning> more) {
        List<Warning> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new Decision(next, status, requeue, List.copyOf(all), outcomeMark);
    }
}
