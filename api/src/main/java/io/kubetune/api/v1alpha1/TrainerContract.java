package io.kubetune.api.v1alpha1;

/**
 * What the operator and the trainer pod agree on: where the job file is mounted, the environment
 * the operator sets, the exit codes it reads, and the trainer's field manager for status patches.
 */
public final class TrainerContract {
    /** ConfigMap key holding the whole resource (FineTuneJob or EvalJob) as YAML. */
    public static final String JOB_FILE_KEY = "job.yaml";

    /** Folder the spec ConfigMap is mounted at. */
    public static final String JOB_DIR = "/etc/kubetune";

    /** The job file inside the pod: {@code kubetune train /etc/kubetune/job.yaml}. */
    public static final String JOB_FILE = JOB_DIR + "/" + JOB_FILE_KEY;

    /** Writable volume for downloads (models, data) and the local copy of the run. */
    public static final String CACHE_DIR = "/var/cache/kubetune";

    /** Environment: the cache folder (default {@code ~/.cache/kubetune}). */
    public static final String CACHE_DIR_ENV = "KUBETUNE_CACHE_DIR";

    /**
     * Environment: "true" makes the trainer patch its resource's status (progress, results) with
     * the pod's service-account token; name and namespace come from the job file's metadata.
     */
    public static final String REPORT_STATUS_ENV = "KUBETUNE_REPORT_STATUS";

    /**
     * Environment: the uid of the FineTuneJob the pod trains. Each checkpoint records it, so that
     * the job's retries (new pods, same uid) resume from it and a job re-created with the same name
     * (a new uid) does not, unless its spec.checkpoint.resume is any-job.
     */
    public static final String JOB_UID_ENV = "KUBETUNE_JOB_UID";

    /** Field manager of the trainer's server-side-apply status patches. */
    public static final String TRAINER_FIELD_MANAGER = "kubetune-trainer";

    /** Exit code: finished; the termination message holds the {@link TrainerResult}. */
    public static final int EXIT_SUCCEEDED = 0;

    /** Exit code: an error a retry would repeat; the termination message says which. */
    public static final int EXIT_FAILED = 1;

    /** Exit code: the spec cannot be run as written (names the field); not retried. */
    public static final int EXIT_INVALID_SPEC = 2;

    /**
     * The job asked for a GPU (--device cuda) and the engine sees none: the image, the driver or
     * the device plugin is wrong. The operator fails the job with reason NoGpu; a retry would
     * repeat it.
     */
    public static final int EXIT_NO_GPU = 3;

    /**
     * Exit code: stopped on SIGTERM after writing a checkpoint (EX_TEMPFAIL); a new attempt resumes
     * from it.
     */
    public static final int EXIT_RESUMABLE = 75;

    private TrainerContract() {}
}
