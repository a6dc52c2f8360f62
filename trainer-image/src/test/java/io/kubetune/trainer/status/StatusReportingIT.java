package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.api.v1alpha1.TrainingProgress;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import io.kubetune.testing.TestPodRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer pod reports its progress to its FineTuneJob's status with its own service account, next
 * to the operator's fields, and can touch no other job.
 */
@RealCluster
class StatusReportingIT {
    // The real secret key of the test MinIO the trainer writes to: it must leak nowhere.
    private static final String AWS_SECRET = TestEnvironment.get().s3().secretKey();
    private static final String HF_TOKEN = "hf_fAkEtOkEn8d2f0b6a";

    @TempDir Path dir;

    @Test
    void progressAppearsWhileTheJobRunsAndOnlyTheTrainersFieldsAreItsOwn(
            KubernetesClient client, TestNamespace ns, TestPodRunner runner) throws Exception {
        String name = "progress";
        int maxSteps = 200; // about 20 s here: several 5 s reports while it runs
        String yaml = TinyJobs.yaml(name, ns.name(), TinyJobs.data(dir, 200), maxSteps, 100);
        client.resources(FineTuneJob.class)
                .resource(client.getKubernetesSerialization().unmarshal(yaml, FineTuneJob.class))
                .create();
        presetOperatorCondition(client, name);
        String sa = TrainerRbac.grant(client, "finetunejobs", name);
        client.configMaps()
                .resource(
                        new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName(name + "-job")
                                .endMetadata()
                                .addToData(TrainerContract.JOB_FILE_KEY, yaml)
                                .build())
                .create();
        client.secrets()
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName(name + "-credentials")
                                .endMetadata()
                                .addToStringData(TinyJobs.s3Env())
                                .addToStringData("HF_TOKEN", HF_TOKEN)
                                .build())
                .create();
        client.pods().resource(trainerPod(name, sa)).create();

        List<TrainingProgress> seen = new ArrayList<>();
        Pod done = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (done == null && System.nanoTime() < deadline) {
            TrainingProgress p = status(client, name).progress;
            if (p != null && (seen.isEmpty() || !p.updateTime.equals(last(seen).updateTime))) {
                seen.add(p);
            }
            Pod pod = client.pods().withName(name).get();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                done = pod;
            }
            Thread.sleep(250);
        }
        assertThat(done).as("the trainer pod ended").isNotNull();
        String logs = runner.logs(name);
        ContainerStateTerminated terminated =
                done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(terminated.getExitCode()).as(logs).isEqualTo(TrainerContract.EXIT_SUCCEEDED);

        // progress while it ran: steps going up, every field a user reads, about every 5 s
        List<TrainingProgress> running = seen.stream().filter(p -> p.step < maxSteps).toList();
        assertThat(running.stream().map(p -> p.step).distinct())
                .as(seen.toString())
                .hasSizeGreaterThan(1);
        assertThat(running.stream().mapToLong(p -> p.step)).isSorted();
        assertThat(running)
                .allSatisfy(
                        p -> {
                            assertThat(p.totalSteps).isEqualTo(maxSteps);
                            assertThat(p.percent).isEqualTo((int) (p.step * 100 / maxSteps));
                        });
        assertThat(running.stream().filter(p -> p.step > 0))
                .allSatisfy(
                        p -> {
                            assertThat(p.loss).isPositive();
                            assertThat(p.learningRate).isPositive();
                            assertThat(p.tokensPerSecond).isPositive();
                            assertThat(p.etaSeconds).isNotNull();
                        });
        for (int i = 1; i < seen.size(); i++) {
            // 5 s between reports, plus the report's own time and updateTime's whole seconds
            assertThat(
                            Duration.between(
                                    Instant.parse(seen.get(i - 1).updateTime),
                                    Instant.parse(seen.get(i).updateTime)))
                    .isLessThanOrEqualTo(Duration.ofSeconds(7));
        }

        FineTuneJobStatus end = status(client, name);
        assertThat(end.progress.step).isEqualTo(maxSteps);
        assertThat(end.progress.percent).isEqualTo(100);
        // the stage's own metrics (SFT: TRL's token accuracy) pass the CRD's status schema
        assertThat(end.progress.metrics)
                .extracting(m -> m.name)
                .contains(io.kubetune.trainer.train.stage.CausalLmObjective.TOKEN_ACCURACY);
        assertThat(end.lastCheckpoint.step).isEqualTo(maxSteps);
        assertThat(end.lastCheckpoint.uri).endsWith("step-00000200");
        // the operator's fields are untouched
        assertThat(end.state).hasToString("Running");
        assertThat(end.conditions)
                .singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("PodRunning"));
        List<ManagedFieldsEntry> managers =
                client.resources(FineTuneJob.class)
                        .withName(name)
                        .get()
                        .getMetadata()
                        .getManagedFields();
        assertThat(managers)
                .filteredOn(m -> TrainerContract.TRAINER_FIELD_MANAGER.equals(m.getManager()))
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.getOperation()).isEqualTo("Apply");
                            assertThat(m.getSubresource()).isEqualTo("status");
                            assertThat(statusFields(m))
                                    .containsOnlyKeys("f:progress", "f:lastCheckpoint");
                        });
        assertThat(managers)
                .filteredOn(m -> "kubetune-operator".equals(m.getManager()))
                .singleElement()
                .satisfies(
                        m -> assertThat(statusFields(m)).containsKeys("f:conditions", "f:state"));

        TrainerResult result =
                client.getKubernetesSerialization()
                        .unmarshal(terminated.getMessage(), TrainerResult.class);
        assertThat(result.steps).isEqualTo(maxSteps);
        assertThat(result.finalLoss).isPositive();
        assertThat(result.adapterUri).endsWith("adapter");
        assertThat(result.lastCheckpoint.step).isEqualTo(maxSteps);

        // the pod had the secrets in its environment; none of them went anywhere
        String statusJson =
                client.getKubernetesSerialization()
                        .asJson(client.resources(FineTuneJob.class).withName(name).get());
        for (String secret : List.of(AWS_SECRET, HF_TOKEN)) {
            assertThat(logs).doesNotContain(secret);
            assertThat(statusJson).doesNotContain(secret);
            assertThat(terminated.getMessage()).doesNotContain(secret);
        }
    }

    @Test
    void theTrainersTokenPatchesItsOwnJobAndGets403OnAnother(
            KubernetesClient client, TestNamespace ns) throws Exception {
        for (String job : List.of("mine", "theirs")) {
            client.resources(FineTuneJob.class)
                    .resource(
                            client.getKubernetesSerialization()
                                    .unmarshal(
                                            TinyJobs.yaml(
                                                    job, ns.name(), dir.resolve("d.jsonl"), 4, 2),
                                            FineTuneJob.class))
                    .create();
        }
        String token = TrainerRbac.token(client, TrainerRbac.grant(client, "finetunejobs", "mine"));
        Map<String, Object> progress = Map.of("progress", Map.of("step", 1, "totalSteps", 4));

        try (KubernetesClient asTrainer =
                new KubernetesClientBuilder()
                        .withConfig(
                                new ConfigBuilder(TestEnvironment.get().config(ns.name()))
                                        .withOauthToken(token)
                                        .withClientCertData(null)
                                        .withClientKeyData(null)
                                        .withClientCertFile(null)
                                        .withClientKeyFile(null)
                                        .build())
                        .build()) {
            new KubernetesStatusApplier(asTrainer, target(ns, "mine")).apply(progress);
            assertThatThrownBy(
                            () ->
                                    new KubernetesStatusApplier(asTrainer, target(ns, "theirs"))
                                            .apply(progress))
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403));
        }

        assertThat(status(client, "mine").progress.step).isEqualTo(1);
        assertThat(status(client, "theirs"))
                .satisfiesAnyOf(s -> assertThat(s).isNull(), s -> assertThat(s.progress).isNull());
    }

    private static StatusTarget target(TestNamespace ns, String name) {
        FineTuneJob job = new FineTuneJob();
        job.setMetadata(
                new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(ns.name())
                        .build());
        return StatusTarget.of(job);
    }

    private static Pod trainerPod(String name, String serviceAccount) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(TestPodRunner.MANAGED_BY_LABEL, "kubetune")
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(serviceAccount)
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("trainer")
                .withImage("kubetune/trainer:test")
                .withCommand(TrainerProcess.command("train", TrainerContract.JOB_FILE))
                .addNewEnv()
                .withName(TrainerContract.REPORT_STATUS_ENV)
                .withValue("true")
                .endEnv()
                .addNewEnvFrom()
                .withNewSecretRef()
                .withName(name + "-credentials")
                .endSecretRef()
                .endEnvFrom()
                .addNewVolumeMount()
                .withName("job")
                .withMountPath(TrainerContract.JOB_DIR)
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("job")
                .withNewConfigMap()
                .withName(name + "-job")
                .endConfigMap()
                .endVolume()
                .endSpec()
                .build();
    }

    /** The operator's part of the status, applied with its own field manager. */
    private static void presetOperatorCondition(KubernetesClient client, String name) {
        String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        io.fabric8.kubernetes.api.model.GenericKubernetesResource patch =
                new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        patch.setApiVersion("kubetune.io/v1alpha1");
        patch.setKind("FineTuneJob");
        patch.setMetadata(
                new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        patch.setAdditionalProperty(
                "status",
                Map.of(
                        "state",
                        "Running",
                        "conditions",
                        List.of(
                                Map.of(
                                        "type", "Running",
                                        "status", "True",
                                        "reason", "PodRunning",
                                        "message", "the trainer pod runs",
                                        "lastTransitionTime", now))));
        client.genericKubernetesResources(
                        io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext
                                .fromResourceType(FineTuneJob.class))
                .resource(patch)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager("kubetune-operator")
                                .withForce(true)
                                .build());
    }

    static FineTuneJobStatus status(KubernetesClient client, String name) {
        return client.resources(FineTuneJob.class).withName(name).get().getStatus();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> statusFields(ManagedFieldsEntry entry) {
        Map<String, Object> fields =
                (Map<String, Object>) entry.getFieldsV1().getAdditionalProperties().get("f:status");
        return fields == null ? Map.of() : fields;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
