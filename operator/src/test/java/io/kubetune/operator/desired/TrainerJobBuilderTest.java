package io.kubetune.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.operator.config.OperatorSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerJobBuilderTest {

    private static Job build(FineTuneJob ftj, int attempt) {
        return build(ftj, attempt, null);
    }

    private static Job build(FineTuneJob ftj, int attempt, String mlflowSecret) {
        return TrainerJobBuilder.build(
                new TrainerJobRequest(
                        ftj,
                        ftj.getSpec(),
                        "train",
                        List.of("hf-token", "s3-credentials", "hf-token"),
                        mlflowSecret,
                        attempt,
                        "kubetune/trainer:1",
                        1200L));
    }

    private static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    private static Container trainer(Job job) {
        return pod(job).getContainers().get(0);
    }

    @Test
    void runsTheTrainerOnTheMountedJobFileOncePerAttempt() {
        Job job = build(TestJobs.fineTuneJob(), 2);

        assertThat(job.getMetadata().getName()).isEqualTo("moby-ftj-2");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1200L);
        assertThat(pod(job).getRestartPolicy()).isEqualTo("Never");
        assertThat(pod(job).getTerminationGracePeriodSeconds()).isEqualTo(300L);
        assertThat(pod(job).getServiceAccountName()).isEqualTo("moby-ftj-trainer");
        Container c = trainer(job);
        assertThat(c.getImage()).isEqualTo("kubetune/trainer:1");
        assertThat(c.getCommand()).isEmpty();
        // two GPUs: on CUDA
        assertThat(c.getArgs())
                .containsExactly("train", "/etc/kubetune/job.yaml", "--device", "cuda");
        assertThat(c.getEnv())
                .anySatisfy(e -> assertThat(e.getName()).isEqualTo("KUBETUNE_REPORT_STATUS"))
                .anySatisfy(
                        e -> {
                            assertThat(e.getName()).isEqualTo(TrainerContract.CACHE_DIR_ENV);
                            assertThat(e.getValue()).isEqualTo("/var/cache/kubetune");
                        });
        assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    }

    @Test
    void everyAttemptCarriesTheFineTuneJobsUidSoItsCheckpointsAreItsOwn() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        String uid = ftj.getMetadata().getUid();

        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThat(trainer(build(ftj, attempt)).getEnv())
                    .filteredOn(e -> e.getName().equals("KUBETUNE_JOB_UID"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getValue()).isEqualTo(uid));
        }
        ftj.getMetadata().setUid("6f1c2d3e-0000-4000-8000-000000000002"); // re-created
        assertThat(trainer(build(ftj, 1)).getEnv())
                .filteredOn(e -> e.getName().equals(TrainerContract.JOB_UID_ENV))
                .singleElement()
                .satisfies(e -> assertThat(e.getValue()).isNotEqualTo(uid));
    }

    @Test
    void mountsTheJobFileCacheTmpAndSizedSharedMemory() {
        Job job = build(TestJobs.fineTuneJob(), 1);

        Map<String, String> mounts =
                trainer(job).getVolumeMounts().stream()
                        .collect(
                                java.util.stream.Collectors.toMap(
                                        m -> m.getMountPath(), m -> m.getName()));
        assertThat(mounts)
                .containsEntry("/etc/kubetune", "job")
                .containsEntry("/var/cache/kubetune", "cache")
                .containsEntry("/tmp", "tmp")
                .containsEntry("/dev/shm", "dshm");
        Map<String, Volume> volumes =
                pod(job).getVolumes().stream()
                        .collect(java.util.stream.Collectors.toMap(Volume::getName, v -> v));
        assertThat(volumes.get("job").getConfigMap().getName()).isEqualTo("moby-ftj-job");
        assertThat(volumes.get("dshm").getEmptyDir().getMedium()).isEqualTo("Memory");
        // 2 GPUs: 4Gi each
        assertThat(volumes.get("dshm").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("8Gi"));
        assertThat(volumes.get("cache").getEmptyDir()).isNotNull();
        assertThat(volumes.get("tmp").getEmptyDir()).isNotNull();
    }

    @Test
    void restrictedSecurityContext() {
        Job job = build(TestJobs.fineTuneJob(), 1);

        var podSc = pod(job).getSecurityContext();
        assertThat(podSc.getRunAsNonRoot()).isTrue();
        assertThat(podSc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var sc = trainer(job).getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getPrivileged()).isNull();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void gpusAreRequestedAndLimitedWithCpuMemoryAndPlacement() {
        Job job = build(TestJobs.fineTuneJob(), 1);

        var res = trainer(job).getResources();
        assertThat(res.getRequests())
                .containsEntry("nvidia.com/gpu", new Quantity("2"))
                .containsEntry("cpu", new Quantity("8"))
                .containsEntry("memory", new Quantity("32Gi"));
        assertThat(res.getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("2"))
                .containsEntry("memory", new Quantity("32Gi"))
                .doesNotContainKey("cpu");
        assertThat(pod(job).getNodeSelector()).containsExactly(Map.entry("pool", "gpu"));
        assertThat(pod(job).getTolerations())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
                            assertThat(t.getOperator()).isEqualTo("Exists");
                            assertThat(t.getEffect()).isEqualTo("NoSchedule");
                        });
    }

    @Test
    void gpuJobRunsTheTrainerOnCudaWithThePrecisionOfItsSpec() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        ftj.getSpec().resources.gpus = 1;

        Job job = build(ftj, 1);

        assertThat(trainer(job).getArgs())
                .containsExactly("train", "/etc/kubetune/job.yaml", "--device", "cuda");
        // precision travels in the job file: auto (bf16 on a GPU that has it) unless set
        assertThat(JobFileConfigMap.jobFile(ftj)).contains("precision: \"auto\"");
    }

    @Test
    void cpuJobLetsTheTrainerChooseItsDevice() {
        Job job = build(TestJobs.cpuFineTuneJob(), 1);

        assertThat(trainer(job).getArgs()).containsExactly("train", "/etc/kubetune/job.yaml");
    }

    @Test
    void cacheIsLimitedToTheSpecsCacheSizeOrTheDefault() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        ftj.getSpec().resources.cacheSize = "250Gi";

        assertThat(cache(build(ftj, 1)).getSizeLimit()).isEqualTo(new Quantity("250Gi"));
        assertThat(cache(build(TestJobs.cpuFineTuneJob(), 1)).getSizeLimit())
                .isEqualTo(new Quantity("100Gi"));
    }

    private static io.fabric8.kubernetes.api.model.EmptyDirVolumeSource cache(Job job) {
        return pod(job).getVolumes().stream()
                .filter(v -> v.getName().equals("cache"))
                .findFirst()
                .orElseThrow()
                .getEmptyDir();
    }

    @Test
    void cpuJobAsksForNoGpuAndGetsTheCpuImage() {
        Job job = build(TestJobs.cpuFineTuneJob(), 1);

        assertThat(trainer(job).getResources().getRequests()).doesNotContainKey("nvidia.com/gpu");
        assertThat(trainer(job).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        var settings =
                new OperatorSettings(
                        "kubetune/trainer:1", "kubetune/trainer-cuda:1", Duration.ofSeconds(60));
        assertThat(settings.imageFor(0)).isEqualTo("kubetune/trainer:1");
        assertThat(settings.imageFor(2)).isEqualTo("kubetune/trainer-cuda:1");
        assertThat(
                        new OperatorSettings("kubetune/trainer:1", "", Duration.ofSeconds(60))
                                .imageFor(1))
                .isEqualTo("kubetune/trainer:1");
    }

    @Test
    void secretsArePassedByReferenceNeverByValue() {
        Job job = build(TestJobs.fineTuneJob(), 1);

        assertThat(trainer(job).getEnvFrom())
                .extracting(e -> e.getSecretRef().getName())
                .containsExactly("hf-token", "s3-credentials");
        // no value of a Secret is copied into the Job
        String yaml = Serialization.asYaml(job);
        assertThat(yaml).doesNotContain("AWS_SECRET_ACCESS_KEY").doesNotContain("HF_TOKEN");
        assertThat(trainer(job).getEnv()).allSatisfy(e -> assertThat(e.getValueFrom()).isNull());
    }

    @Test
    void mlflowCredentialsAreOnlyTheirThreeOptionalKeysOfTheNamedSecret() {
        Job job = build(TestJobs.fineTuneJob(), 1, "mlflow-credentials");

        assertThat(trainer(job).getEnv())
                .filteredOn(e -> e.getValueFrom() != null)
                .extracting(
                        e -> e.getName(),
                        e -> e.getValueFrom().getSecretKeyRef().getName(),
                        e -> e.getValueFrom().getSecretKeyRef().getKey(),
                        e -> e.getValueFrom().getSecretKeyRef().getOptional())
                .containsExactly(
                        tuple(
                                "MLFLOW_TRACKING_TOKEN",
                                "mlflow-credentials",
                                "MLFLOW_TRACKING_TOKEN",
                                true),
                        tuple(
                                "MLFLOW_TRACKING_USERNAME",
                                "mlflow-credentials",
                                "MLFLOW_TRACKING_USERNAME",
                                true),
                        tuple(
                                "MLFLOW_TRACKING_PASSWORD",
                                "mlflow-credentials",
                                "MLFLOW_TRACKING_PASSWORD",
                                true));
        // not as envFrom: the Secret's other keys stay out of the pod
        assertThat(trainer(job).getEnvFrom())
                .extracting(e -> e.getSecretRef().getName())
                .doesNotContain("mlflow-credentials");
    }

    @Test
    void queuedJobIsLabelledForKueueAndStartsSuspended() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        ftj.getSpec().queueName = "team-a-queue";

        Job job = build(ftj, 1);

        assertThat(job.getMetadata().getLabels())
                .containsEntry("kueue.x-k8s.io/queue-name", "team-a-queue");
        assertThat(job.getSpec().getSuspend()).isTrue();
    }

    @Test
    void unqueuedJobRunsAtOnceWithoutKueueLabel() {
        Job job = build(TestJobs.fineTuneJob(), 1);

        assertThat(job.getMetadata().getLabels()).doesNotContainKey("kueue.x-k8s.io/queue-name");
        assertThat(job.getSpec().getSuspend()).isFalse();
    }

    @Test
    void labelsOwnerAndAnnotationsTieTheJobAndPodToTheirFineTuneJob() {
        Job job = build(TestJobs.fineTuneJob(), 3);

        assertThat(job.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.getKind()).isEqualTo("FineTuneJob");
                            assertThat(o.getName()).isEqualTo("moby");
                            assertThat(o.getUid())
                                    .isEqualTo("6f1c2d3e-0000-4000-8000-000000000001");
                            assertThat(o.getController()).isTrue();
                            assertThat(o.getBlockOwnerDeletion()).isTrue();
                        });
        Map<String, String> podLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels)
                .containsEntry("app.kubernetes.io/managed-by", "kubetune")
                .containsEntry("kubetune.io/kind", "finetunejob")
                .containsEntry("kubetune.io/attempt", "3")
                .containsEntry("app.kubernetes.io/instance", "moby");
        assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("kubetune.io/owner-name", "moby");
    }

    @Test
    void longNamesAreCutToALabelValueAndStayUniquePerAttempt() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        String longName = "a".repeat(100);
        ftj.getMetadata().setName(longName);

        String first = build(ftj, 1).getMetadata().getName();
        String second = build(ftj, 2).getMetadata().getName();

        assertThat(first).hasSizeLessThanOrEqualTo(63).endsWith("-1");
        assertThat(second).hasSizeLessThanOrEqualTo(63).endsWith("-2");
        assertThat(first.substring(0, first.length() - 2))
                .isEqualTo(second.substring(0, second.length() - 2));
        assertThat(Names.job(ftj, 1)).isNotEqualTo(Names.job(withName("a".repeat(99) + "b"), 1));
        assertThat(build(ftj, 1).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("kubetune.io/owner-name", longName);
    }

    private static FineTuneJob withName(String name) {
        FineTuneJob j = TestJobs.fineTuneJob();
        j.getMetadata().setName(name);
        return j;
    }
}
