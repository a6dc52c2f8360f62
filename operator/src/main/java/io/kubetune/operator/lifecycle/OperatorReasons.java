package io.kubetune.operator.lifecycle;

/**
 * Reasons the operator uses beside those of {@link io.kubetune.api.v1alpha1.Reasons}, for causes of
 * a resumed attempt that the API's list does not name.
 */
public final class OperatorReasons {
    /** The trainer stopped after writing a checkpoint (exit 75) without a suspend: resumable. */
    public static final String TRAINER_INTERRUPTED = "TrainerInterrupted";

    /**
     * The container was killed (SIGKILL or SIGTERM, exit 137/143, not for memory), or its pod
     * vanished or its node was lost: resumable.
     */
    public static final String POD_KILLED = "PodKilled";

    /** The node of the pod was lost (taint manager or pod GC deleted it): resumable. */
    public static final String NODE_LOST = "NodeLost";

    /** The trainer exited with a code outside the contract (not 0, 1, 2, 3, 75). */
    public static final String UNEXPECTED_EXIT = "UnexpectedExit";

    private OperatorReasons() {}
}
