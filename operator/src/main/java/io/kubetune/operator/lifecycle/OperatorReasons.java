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

    /** The condition Reconciled is True again: what failed before went through. */
    public static final String RECONCILED = "Reconciled";

    /** An API call was refused by a ResourceQuota of the namespace; retried with backoff. */
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";

    /** An admission webhook or policy refused an object the operator made; retried. */
    public static final String ADMISSION_REFUSED = "AdmissionRefused";

    /** The operator's service account may not do what the job needs (RBAC); retried. */
    public static final String PERMISSION_DENIED = "PermissionDenied";

    /** A conflict (409) that persisted over the retries within one reconcile; retried. */
    public static final String API_CONFLICT = "Conflict";

    /** Any other failed API call (the message has the code); retried with backoff. */
    public static final String API_ERROR = "ApiError";

    private OperatorReasons() {}
}
