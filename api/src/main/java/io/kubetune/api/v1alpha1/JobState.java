package io.kubetune.api.v1alpha1;

/** The one-word state shown by kubectl get. */
public enum JobState {
    /** Accepted; waiting for the pod to start (or for Kueue to admit it). */
    Pending,
    /** The trainer is running. */
    Running,
    /** Stopped by spec.suspend after a checkpoint. */
    Suspended,
    /** Training succeeded; the evaluation after training is running. */
    Evaluating,
    /** Finished; artifacts and results are on the status. */
    Succeeded,
    /** Finished without success; the Failed condition says why. */
    Failed
}
