package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubetune.api.v1alpha1.ResourcesSpec;
import io.kubetune.api.v1alpha1.TrainerContract;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The batch/v1 Job of one attempt. The Job never retries by itself (backoffLimit 0): the operator
 * classifies why its pod ended and starts a new attempt (a new Job) that resumes from the last
 * checkpoint, so each attempt is one pod whose end can be read.
 *
 * <p>The container runs the image's entrypoint ({@code java -jar /app/kubetune-trainer.jar}) with
 * the args {@code <command> /etc/kubetune/job.yaml}: the image decides how Java starts.
 */
public final class TrainerJobBuilder {
    /** The trainer's container name. */
    public static final String CONTAINER = "trainer";

    /**
     * Time between SIGTERM and SIGKILL: the trainer writes a checkpoint and uploads it to S3 on
     * SIGTERM, which for a 7B LoRA adapter with optimizer state takes well under 5 minutes.
     */
    public static final long TERMINATION_GRACE_SECONDS = 300;

    /**
     * UID and GID the trainer runs as: the trainer image's non-root user
     * (trainer-image/Dockerfile).
     */
    public static final long RUN_AS_USER = 10001;

    /** /dev/shm without GPUs: data loading is in-process, little shared memory is used. */
    static final String SHM_CPU = "1Gi";

    /** /dev/shm per GPU: NCCL and CUDA IPC use shared memory. */
    static final int SHM_GIB_PER_GPU = 4;

    public static final String GPU_RESOURCE = "nvidia.com/gpu";

    private TrainerJobBuilder() {}

    public static Job build(TrainerJobRequest r) {
        Map<String, String> labels = new java.util.LinkedHashMap<>(Labels.of(r.owner()));
        labels.put(Labels.ATTEMPT, Integer.toString(r.attempt()));
        Map<String, String> jobLabels = new java.util.LinkedHashMap<>(labels);
        boolean queued = r.run().queueName != null && !r.run().queueName.isBlank();
        if (queued) {
            jobLabels.put(Labels.KUEUE_QUEUE, r.run().queueName);
        }
        ResourcesSpec res = r.run().resources == null ? new ResourcesSpec() : r.run().resources;
        String saName = Names.trainer(r.owner());
        return new JobBuilder()
                .withMetadata(Owners.metadata(r.owner(), Names.job(r.owner(), r.attempt())))
                .editMetadata()
                .withLabels(jobLabels)
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                // Kueue admits a queued Job by unsuspending it
                .withSuspend(queued)
                .withActiveDeadlineSeconds(r.activeDeadlineSeconds())
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .withAnnotations(Labels.annotations(r.owner()))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withServiceAccountName(saName)
                // the trainer patches its status with this token
                .withAutomountServiceAccountToken(true)
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .withEnableServiceLinks(false)
                .withNodeSelector(res.nodeSelector)
                .withTolerations(tolerations(res))
                .withSecurityContext(
                        new PodSecurityContextBuilder()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(RUN_AS_USER)
                                .withRunAsGroup(RUN_AS_USER)
                                .withFsGroup(RUN_AS_USER)
                                .withNewSeccompProfile()
                                .withType("RuntimeDefault")
                                .endSeccompProfile()
                                .build())
                .withContainers(container(r, res))
                .withVolumes(volumes(r, res))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Container container(TrainerJobRequest r, ResourcesSpec res) {
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(r.image())
                .withArgs(args(r.command(), res))
                .withEnv(env(r))
                .withEnvFrom(secretEnv(r.secretNames()))
                .withResources(resources(res))
                .withTerminationMessagePath("/dev/termination-log")
                // a crash before the trainer writes its result still leaves a message
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withSecurityContext(
                        new SecurityContextBuilder()
                                .withRunAsNonRoot(true)
                                .withReadOnlyRootFilesystem(true)
                                .withAllowPrivilegeEscalation(false)
                                .withNewCapabilities()
                                .withDrop("ALL")
                                .endCapabilities()
                                .withNewSeccompProfile()
                                .withType("RuntimeDefault")
                                .endSeccompProfile()
                                .build())
                .withVolumeMounts(
                        new VolumeMountBuilder()
                                .withName("job")
                                .withMountPath(TrainerContract.JOB_DIR)
                                .withReadOnly(true)
                                .build(),
                        new VolumeMountBuilder()
                                .withName("cache")
                                .withMountPath(TrainerContract.CACHE_DIR)
                                .build(),
                        new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build(),
                        new VolumeMountBuilder().withName("dshm").withMountPath("/dev/shm").build())
                .build();
    }

    /**
     * The cache, status reporting, the owner's uid (its checkpoints record it: every attempt of
     * this resource resumes them, a re-created one of the same name does not), a writable HOME and
     * the MLflow credentials.
     */
    static List<EnvVar> env(TrainerJobRequest r) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar(TrainerContract.CACHE_DIR_ENV, TrainerContract.CACHE_DIR, null));
        env.add(new EnvVar(TrainerContract.REPORT_STATUS_ENV, "true", null));
        env.add(new EnvVar(TrainerContract.JOB_UID_ENV, r.owner().getMetadata().getUid(), null));
        // the root file system is read-only: Java and libraries write under /tmp
        env.add(new EnvVar("HOME", "/tmp", null));
        env.addAll(mlflowCredentials(r.mlflowSecret()));
        return env;
    }

    /**
     * The trainer's arguments: a pod that asks for GPUs runs on CUDA ({@code --device cuda}); the
     * trainer exits {@value TrainerContract#EXIT_NO_GPU} when it sees none rather than train on the
     * CPU. The precision (spec.training.precision, an EvalJob's spec.precision; auto by default)
     * travels in the job file.
     */
    static List<String> args(String command, ResourcesSpec res) {
        int gpus = res.gpus == null ? 0 : res.gpus;
        return gpus > 0
                ? List.of(command, TrainerContract.JOB_FILE, "--device", "cuda")
                : List.of(command, TrainerContract.JOB_FILE);
    }

    /**
     * The MLflow credential variables the trainer reads, each from the Secret's key of that name.
     */
    static final List<String> MLFLOW_KEYS =
            List.of(
                    "MLFLOW_TRACKING_TOKEN",
                    "MLFLOW_TRACKING_USERNAME",
                    "MLFLOW_TRACKING_PASSWORD");

    /**
     * Only these keys of the MLflow Secret, each optional (a token or a user and password), so the
     * Secret may be shared with other tools without the pod seeing the rest.
     */
    static List<EnvVar> mlflowCredentials(String secretName) {
        if (secretName == null) {
            return List.of();
        }
        return MLFLOW_KEYS.stream()
                .map(
                        key ->
                                new EnvVarBuilder()
                                        .withName(key)
                                        .withNewValueFrom()
                                        .withNewSecretKeyRef(key, secretName, true)
                                        .endValueFrom()
                                        .build())
                .toList();
    }

    /** Each referenced Secret once, as envFrom: the values never leave the Secret. */
    static List<EnvFromSource> secretEnv(List<String> secretNames) {
        List<EnvFromSource> env = new ArrayList<>();
        for (String name : new LinkedHashSet<>(secretNames)) {
            env.add(
                    new EnvFromSourceBuilder()
                            .withNewSecretRef()
                            .withName(name)
                            .endSecretRef()
                            .build());
        }
        return env;
    }

    static ResourceRequirements resources(ResourcesSpec res) {
        ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
        if (res.cpu != null) {
            b.addToRequests("cpu", new Quantity(res.cpu));
        }
        if (res.memory != null) {
            b.addToRequests("memory", new Quantity(res.memory));
            b.addToLimits("memory", new Quantity(res.memory));
        }
        int gpus = res.gpus == null ? 0 : res.gpus;
        if (gpus > 0) {
            b.addToRequests(GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
            b.addToLimits(GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        }
        return b.build();
    }

    private static List<io.fabric8.kubernetes.api.model.Toleration> tolerations(ResourcesSpec res) {
        if (res.tolerations == null) {
            return List.of();
        }
        return res.tolerations.stream()
                .map(
                        t ->
                                new TolerationBuilder()
                                        .withKey(t.key)
                                        .withOperator(t.operator)
                                        .withValue(t.value)
                                        .withEffect(t.effect)
                                        .withTolerationSeconds(t.tolerationSeconds)
                                        .build())
                .toList();
    }

    static String cacheSize(ResourcesSpec res) {
        return res.cacheSize == null || res.cacheSize.isBlank()
                ? ResourcesSpec.DEFAULT_CACHE_SIZE
                : res.cacheSize;
    }

    /**
     * The job file, and three emptyDirs: the cache (spec.resources.cacheSize; downloads of the
     * model and data; emptyDir so each attempt starts clean, resuming from the checkpoint in S3,
     * not from local files), /tmp (the root file system is read-only) and /dev/shm in memory
     * (counts against the memory limit).
     */
    private static List<Volume> volumes(TrainerJobRequest r, ResourcesSpec res) {
        int gpus = res.gpus == null ? 0 : res.gpus;
        String shm = gpus > 0 ? (SHM_GIB_PER_GPU * gpus) + "Gi" : SHM_CPU;
        return List.of(
                new VolumeBuilder()
                        .withName("job")
                        .withNewConfigMap()
                        .withName(Names.configMap(r.owner()))
                        .endConfigMap()
                        .build(),
                new VolumeBuilder()
                        .withName("cache")
                        .withNewEmptyDir()
                        .withSizeLimit(new Quantity(cacheSize(res)))
                        .endEmptyDir()
                        .build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder()
                        .withName("dshm")
                        .withNewEmptyDir()
                        .withMedium("Memory")
                        .withSizeLimit(new Quantity(shm))
                        .endEmptyDir()
                        .build());
    }
}
