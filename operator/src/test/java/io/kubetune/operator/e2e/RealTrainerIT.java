package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.S3Handle;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import io.minio.MinioClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real trainer (trainer-image's jar, run by the pod runner as the trainer image's entrypoint)
 * fine-tunes the tiny example model on a few lines of the example data from MinIO, reports its
 * progress, and is evaluated on hellaswag by the automatic EvalJob; {@code kubectl get
 * finetunejobs} shows the story.
 */
@RealCluster
class RealTrainerIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(8);

    static KubernetesClient client;
    static RealTrainerCluster cluster;

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns, S3Handle s3, MinioClient minio)
            throws Exception {
        client = c;
        cluster = RealTrainerCluster.start(c, ns, s3, minio);
        cluster.putLines("train.jsonl", "examples/data/wordnet-definitions.jsonl", 40);
        cluster.put(
                "hellaswag.parquet",
                Files.readAllBytes(
                        RealTrainerCluster.repo()
                                .resolve(
                                        "trainer-image/src/test/resources/eval/hellaswag_items.parquet")));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** examples/finetunejob.yaml's shape, on the tiny model and a few steps on CPU. */
    private static String manifest(String name) {
        return manifest(name, 6, 2);
    }

    private static String manifest(String name, int steps, int checkpointEvery) {
        String in = cluster.uri();
        return """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %1$s
                spec:
                  model:
                    uri: %2$s/model/
                  datasets:
                    - uri: %2$s/train.jsonl
                      format: alpaca
                      template: alpaca
                  stage: sft
                  method:
                    type: lora
                    lora: {r: 4, alpha: 8, targetModules: [q_proj, v_proj]}
                  training:
                    maxSteps: %3$d
                    batchSize: 4
                    learningRate: "3e-3"
                    cutoffLength: 96
                    batching: padding
                    seed: 7
                    loggingSteps: 1
                  checkpoint: {everySteps: %4$d, keepLast: 2}
                  output:
                    uri: %2$s/runs/%1$s
                    secretRef: {name: s3-credentials}
                  resources: {cpu: "1", memory: 2Gi}
                  evaluation:
                    tasks: [{name: hellaswag, dataUri: %2$s/hellaswag.parquet}]
                    limit: 4
                  backoffLimit: 2
                """
                .formatted(name, in, steps, checkpointEvery);
    }

    @Test
    void exampleShapedJobSucceedsWithProgressLossAdapterAndHellaswag() throws Exception {
        Path file = Files.createTempFile("finetunejob", ".yaml");
        Files.writeString(file, manifest("moby"));
        cluster.kubectl("apply", "-f", file.toString());

        FineTuneJob done = awaitState(client, "moby", JobState.Succeeded, TIMEOUT);

        String out = cluster.uri("runs/moby");
        assertThat(done.getStatus().adapterUri).startsWith(out);
        assertThat(done.getStatus().progress).as("progress reported by the trainer").isNotNull();
        assertThat(done.getStatus().progress.step).isEqualTo(6L);
        assertThat(done.getStatus().progress.loss).isPositive();
        assertThat(done.getStatus().hellaswag).isBetween(0.0, 1.0);
        assertCondition(done, "Evaluated", "True", Reasons.EVAL_SUCCEEDED);
        assertCondition(done, "Succeeded", "True", Reasons.COMPLETED);

        String table = cluster.kubectl("get", "finetunejobs", "moby");
        System.out.println(table);
        assertThat(table.lines().toList().get(0))
                .contains("STATE", "PROGRESS", "STEP", "LOSS", "HELLASWAG");
        assertThat(table.lines().toList().get(1))
                .contains("moby", "Succeeded", "6")
                .contains(String.valueOf(done.getStatus().hellaswag));
    }

    @Test
    void killedTrainerIsResumedFromItsS3CheckpointByANewAttempt(MinioClient minio) {
        client.resource(Serialization.unmarshal(manifest("resumed", 40, 3), FineTuneJob.class))
                .create();
        String checkpoints = cluster.key("runs/resumed/checkpoints/");
        Jobs.eventually(
                TIMEOUT,
                () -> hasObject(minio, checkpoints, "/manifest.json"),
                () -> "no complete checkpoint under " + checkpoints);
        String first = Jobs.podsOf(client, "resumed").get(0).getMetadata().getName();

        assertThat(cluster.runner.kill(first)).as("the trainer still runs").isTrue();

        FineTuneJob done = awaitState(client, "resumed", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().attempts).isEqualTo(2);
        String second =
                Jobs.podsOf(client, "resumed").stream()
                        .map(p -> p.getMetadata().getName())
                        .filter(n -> n.startsWith("resumed-ftj-2-"))
                        .findFirst()
                        .orElseThrow();
        assertThat(cluster.runner.logs(second))
                .contains(
                        "resuming from s3://" + cluster.s3.bucket() + "/" + checkpoints + "step-");
    }

    @Test
    void aJobCreatedAgainWithTheSameNameDoesNotTakeOverTheOldRunsCheckpoints() {
        // no evaluation: only the checkpoints matter here
        String spec = manifest("again", 4, 2).replaceAll("(?m)^  evaluation:\\n(    .*\\n)+", "");
        FineTuneJob old =
                client.resource(Serialization.unmarshal(spec, FineTuneJob.class)).create();
        awaitState(client, "again", JobState.Succeeded, TIMEOUT);
        // foreground: the old job's children are gone before the new one is created
        client.resource(old)
                .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                .withTimeout(2, TimeUnit.MINUTES)
                .delete();

        FineTuneJob recreated =
                client.resource(Serialization.unmarshal(spec, FineTuneJob.class)).create();
        FineTuneJob failed = awaitState(client, "again", JobState.Failed, TIMEOUT);

        assertCondition(failed, "Failed", "True", Reasons.INVALID_SPEC);
        assertThat(failed.getStatus().attempts).as("not retried").isEqualTo(1);
        assertThat(failed.getStatus().conditions)
                .filteredOn(c -> c.getType().equals("Failed"))
                .singleElement()
                .satisfies(
                        c ->
                                assertThat(c.getMessage())
                                        .contains(
                                                "was written by FineTuneJob uid "
                                                        + old.getMetadata().getUid(),
                                                "(uid " + recreated.getMetadata().getUid() + ")",
                                                "spec.checkpoint.resume: any-job"));
    }

    @Test
    void suspendedTrainerCheckpointsAndTheResumedAttemptContinuesFromIt() {
        client.resource(Serialization.unmarshal(manifest("paused", 300, 250), FineTuneJob.class))
                .create();
        Jobs.await(
                client,
                "paused",
                TIMEOUT,
                j ->
                        j.getStatus() != null
                                && j.getStatus().progress != null
                                && j.getStatus().progress.step != null
                                && j.getStatus().progress.step >= 2);

        client.resources(FineTuneJob.class)
                .withName("paused")
                .patch(
                        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"spec\":{\"suspend\":true}}");
        awaitState(client, "paused", JobState.Suspended, TIMEOUT);
        // SIGTERM: the trainer writes a checkpoint (none is due before step 250) and exits 75
        FineTuneJob suspended =
                Jobs.await(
                        client,
                        "paused",
                        TIMEOUT,
                        j ->
                                j.getStatus().lastCheckpoint != null
                                        && j.getStatus().lastCheckpoint.uri != null);
        long checkpointStep = suspended.getStatus().lastCheckpoint.step;
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.podsOf(client, "paused").stream()
                                .allMatch(p -> "Failed".equals(p.getStatus().getPhase())),
                () -> "the trainer pod still runs");

        client.resources(FineTuneJob.class)
                .withName("paused")
                .patch(
                        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"spec\":{\"suspend\":false}}");

        FineTuneJob done = awaitState(client, "paused", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().attempts).isEqualTo(2);
        assertThat(done.getStatus().progress.step).isEqualTo(300L);
        String second =
                Jobs.podsOf(client, "paused").stream()
                        .map(p -> p.getMetadata().getName())
                        .filter(n -> n.startsWith("paused-ftj-2-"))
                        .findFirst()
                        .orElseThrow();
        assertThat(cluster.runner.logs(second)).contains("resuming after step " + checkpointStep);
    }

    @Test
    void trackedJobAndItsEvaluationLogToOneMlflowRun() throws Exception {
        MlflowServer mlflow = new MlflowServer(TestEnvironment.get().value("KUBETUNE_MLFLOW_URI"));
        client.resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("mlflow-credentials")
                                .endMetadata()
                                .addToStringData("MLFLOW_TRACKING_USERNAME", "kubetune")
                                .addToStringData("MLFLOW_TRACKING_PASSWORD", "test-password")
                                .addToStringData("UNRELATED_KEY", "stays-in-the-secret")
                                .build())
                .create();
        String manifest =
                manifest("tracked")
                        + """
                          tracking:
                            mlflow:
                              trackingUri: %s
                              secretRef: {name: mlflow-credentials}
                        """
                                .formatted(mlflow.uri());
        client.resource(Serialization.unmarshal(manifest, FineTuneJob.class)).create();

        FineTuneJob done = awaitState(client, "tracked", JobState.Succeeded, TIMEOUT);

        var ref = done.getStatus().mlflow;
        assertThat(ref).as("status.mlflow").isNotNull();
        assertThat(ref.url)
                .isEqualTo(
                        mlflow.uri() + "/#/experiments/" + ref.experimentId + "/runs/" + ref.runId);
        var run = mlflow.run(ref.runId);
        assertThat(run.get("info").get("status").asText()).isEqualTo("FINISHED");
        assertThat(MlflowServer.pairs(run, "params"))
                .containsEntry("stage", "sft")
                .containsEntry("training.learningRate", "3e-3")
                .containsEntry("training.maxSteps", "6");
        String in = cluster.uri();
        assertThat(MlflowServer.pairs(run, "tags"))
                .containsEntry("kubetune.job", "tracked")
                .containsEntry("kubetune.namespace", client.getNamespace())
                .containsEntry("kubetune.uid", done.getMetadata().getUid())
                .containsEntry("kubetune.stage", "sft")
                .containsEntry("kubetune.method", "lora")
                .containsEntry("kubetune.base_model", in + "/model/")
                .containsEntry("kubetune.adapter_uri", done.getStatus().adapterUri)
                .containsEntry("kubetune.eval_job", "tracked-eval");
        Map<String, Double> logged = mlflow.metrics(run);
        Map<String, Double> training = new TreeMap<>(logged);
        training.keySet().removeIf(k -> k.startsWith("hellaswag/"));
        assertThat(training)
                .isEqualTo(metricsJsonl(cluster.read(cluster.uri("runs/tracked/metrics.jsonl"))));
        // the EvalJob's results, in the same run
        assertThat(logged).containsEntry("hellaswag/acc_norm@0", done.getStatus().hellaswag);
        // the credentials reach the pod as those keys only
        var env = Jobs.podsOf(client, "tracked").get(0).getSpec().getContainers().get(0).getEnv();
        assertThat(env)
                .filteredOn(e -> e.getValueFrom() != null)
                .extracting(e -> e.getName())
                .containsExactlyInAnyOrder(
                        "MLFLOW_TRACKING_TOKEN",
                        "MLFLOW_TRACKING_USERNAME",
                        "MLFLOW_TRACKING_PASSWORD");
    }

    /** metrics.jsonl as {@code key@step}, the shape MLflow's history is read into. */
    private static Map<String, Double> metricsJsonl(String text) throws Exception {
        Map<String, Double> values = new TreeMap<>();
        {
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                var o = Serialization.jsonMapper().readTree(line);
                long step = o.get("step").asLong();
                o.fieldNames()
                        .forEachRemaining(
                                k -> {
                                    if (!k.equals("step")) {
                                        values.put(k + "@" + step, o.get(k).asDouble());
                                    }
                                });
            }
        }
        return values;
    }

    private static boolean hasObject(MinioClient minio, String prefix, String suffix) {
        for (var r :
                minio.listObjects(
                        io.minio.ListObjectsArgs.builder()
                                .bucket(cluster.s3.bucket())
                                .prefix(prefix)
                                .recursive(true)
                                .build())) {
            try {
                if (r.get().objectName().endsWith(suffix)) {
                    return true;
                }
            } catch (Exception e) {
                return false;
            }
        }
        return false;
    }
}
