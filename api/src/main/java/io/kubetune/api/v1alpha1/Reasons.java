package io.kubetune.api.v1alpha1;

/** CamelCase reasons of the conditions, and of the Warning events beside them. */
public final class Reasons {
    /** The Job was created and waits for its pod. */
    public static final String JOB_CREATED = "JobCreated";

    /** The trainer pod is running. */
    public static final String TRAINER_RUNNING = "TrainerRunning";

    /** A new attempt was started that resumes from the last checkpoint. */
    public static final String RESUMING = "Resuming";

    /** spec.suspend is true. */
    public static final String SUSPENDED_BY_USER = "SuspendedByUser";

    /** Waiting for Kueue to admit the Job. */
    public static final String AWAITING_ADMISSION = "AwaitingAdmission";

    /** The trainer finished and wrote its artifacts. */
    public static final String COMPLETED = "Completed";

    /** The image could not be pulled (ErrImagePull, ImagePullBackOff, InvalidImageName). */
    public static final String IMAGE_PULL_ERROR = "ImagePullError";

    /** The container was killed for exceeding its memory limit. */
    public static final String OOM_KILLED = "OOMKilled";

    /** No node can take the pod (resources, selectors, taints). */
    public static final String UNSCHEDULABLE = "Unschedulable";

    /** The pod was evicted (node pressure, drain); resumable. */
    public static final String EVICTED = "Evicted";

    /** The pod was preempted or its spot node reclaimed; resumable. */
    public static final String PREEMPTED = "Preempted";

    /** The trainer exited with an error that a retry would repeat; the message says which. */
    public static final String TRAINER_ERROR = "TrainerError";

    /** Resumable failures used up spec.backoffLimit. */
    public static final String BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";

    /** The job ran longer than spec.activeDeadlineSeconds. */
    public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";

    /** The pod asked for a GPU and the trainer saw none (image, driver or device plugin). */
    public static final String NO_GPU = "NoGpu";

    /**
     * An object the operator would create for the job (ServiceAccount, Role, RoleBinding, job-file
     * ConfigMap, Job) exists and is not owned by the job: the operator does not use it.
     */
    public static final String RESOURCE_CONFLICT = "ResourceConflict";

    /** The spec cannot be run as written; the message names the field. */
    public static final String INVALID_SPEC = "InvalidSpec";

    /** The evaluation after training succeeded. */
    public static final String EVAL_SUCCEEDED = "EvalSucceeded";

    /** The evaluation after training failed; the fine-tuned artifacts are still valid. */
    public static final String EVAL_FAILED = "EvalFailed";

    /** A FineTuneJob named by a fineTuneJobRef has not succeeded yet; the message names it. */
    public static final String WAITING_FOR_DEPENDENCY = "WaitingForDependency";

    /** A FineTuneJob named by a fineTuneJobRef failed, so this job cannot start. */
    public static final String DEPENDENCY_FAILED = "DependencyFailed";

    private Reasons() {}
}
