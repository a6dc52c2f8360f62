package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.TrainerResult;
import java.util.Set;

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

    /**
     * The reasons of {@link Phase#RESUMABLE} outcomes: the one list of which failures a new attempt
     * resumes from. Retries are counted from the Jobs annotated with one of them.
     */
    public static final Set<String> RESUMABLE_REASONS =
            Set.of(
                    Reasons.EVICTED,
                    Reasons.PREEMPTED,
                    OperatorReasons.TRAINER_INTERRUPTED,
                    OperatorReasons.POD_KILLED,
                    OperatorReasons.NODE_LOST);

    public AttemptOutcome {
        if ((phase == Phase.RESUMABLE) != RESUMABLE_REASONS.contains(reason)
                && phase != Phase.SUSPENDED) {
            throw new IllegalArgumentException(
                    reason + " is " + (phase == Phase.RESUMABLE ? "not " : "") + "resumable");
        }
    }

    /** Whether an attempt that ended for {@code reason} is resumed by a new attempt. */
    public static boolean resumes(String reason) {
        return RESUMABLE_REASONS.contains(reason);
    }

    public boolean finished() {
        return phase != Phase.PENDING && phase != Phase.RUNNING;
    }

    static AttemptOutcome of(Phase phase, String reason, String message) {
        return new AttemptOutcome(phase, reason, message, null);
    }
}
