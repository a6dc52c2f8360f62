package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * What one reconcile does, decided by {@link Decider} and carried out by the executor. Each action
 * that ends an attempt names the Job it stops; each that launches one says its number and what is
 * left of spec.activeDeadlineSeconds.
 */
public sealed interface Action {

    /**
     * An action that makes the next attempt's Job (after the job file, ServiceAccount and RBAC).
     */
    sealed interface Launch extends Action {
        int attempt();

        /** What is left of spec.activeDeadlineSeconds, or null without a deadline. */
        Long deadlineSeconds();
    }

    /** Nothing to change on the cluster: only the status, and a look again later. */
    record Wait() implements Action {}

    /** The first attempt. */
    record Start(int attempt, Long deadlineSeconds) implements Launch {}

    /** A new attempt after a suspension ended (spec.suspend false again); not a retry. */
    record Resume(Job previous, int attempt, Long deadlineSeconds) implements Launch {}

    /** A new attempt after a resumable failure, counted against spec.backoffLimit. */
    record Retry(Job previous, int attempt, Long deadlineSeconds, String reason)
            implements Launch {}

    /** spec.suspend: the running attempt is stopped gracefully (the trainer checkpoints). */
    record Suspend(Job running) implements Action {}

    /** The trainer finished: what follows is the kind's (an FineTuneJob's evaluation). */
    record Succeed(AttemptOutcome outcome) implements Action {}

    /** The job fails; {@code stop} (or null) is an attempt that may still run. */
    record Fail(Job stop, String reason) implements Action {}

    /** spec.activeDeadlineSeconds has passed across the attempts: fails, stops the attempt. */
    record Expire(Job stop) implements Action {}

    /** spec.ttlSecondsAfterFinished has passed since completionTime: the resource is deleted. */
    record DeleteAfterTtl() implements Action {}
}
