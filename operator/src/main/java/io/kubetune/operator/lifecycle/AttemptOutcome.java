package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.TrainerResult;

/**
 * Where one attempt (one Job and its pod) stands.
 *
 * @param phase what the reconciler does next
 * @param reason a CamelCase reason ({@link io.kubetune.api.v1alpha1.Reasons} or {@link
 *     OperatorReasons})
 * @param message one line for people
 * @param result the trainer's termination message, when it wrote one
 */
public record AttemptOutcome(Phase phase, String reason, String message, TrainerResult result) {

    /** What an attempt's state means for the job. */
    public enum Phase {
        /** The pod is not running yet (scheduling, pulling, waiting for Kueue). */
        PENDING,
        /** The trainer runs. */
        RUNNING,
        /** The trainer finished (exit 0). */
        SUCCEEDED,
        /** Failed in a way a retry would repeat: the job fails. */
        FAILED,
        /** Stopped in a way a new attempt can resume from the checkpoint. */
        RESUMABLE,
        /** Stopped by the operator for spec.suspend. */
        SUSPENDED
    }

    public boolean finished() {
        return phase != Phase.PENDING && phase != Phase.RUNNING;
    }

    static AttemptOutcome of(Phase phase, String reason, String message) {
        return new AttemptOutcome(phase, reason, message, null);
    }
}
