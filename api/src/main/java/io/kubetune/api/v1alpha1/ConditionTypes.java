package io.kubetune.api.v1alpha1;

/**
 * The condition types on both kinds' status. Each is True, False or Unknown and carries one of the
 * {@link Reasons}.
 */
public final class ConditionTypes {
    /** The trainer pod is running now. */
    public static final String RUNNING = "Running";

    /** The job is suspended by spec.suspend or waiting for Kueue admission. */
    public static final String SUSPENDED = "Suspended";

    /** The job finished with success (terminal). */
    public static final String SUCCEEDED = "Succeeded";

    /** The job finished without success (terminal); the reason classifies the failure. */
    public static final String FAILED = "Failed";

    /** The evaluation after training finished; results are on the status. */
    public static final String EVALUATED = "Evaluated";

    /**
     * False while the operator cannot carry out what the job needs (an API call refused: quota,
     * admission, permission, an object it does not own), with the reason; True again once it can.
     */
    public static final String RECONCILED = "Reconciled";

    private ConditionTypes() {}
}
