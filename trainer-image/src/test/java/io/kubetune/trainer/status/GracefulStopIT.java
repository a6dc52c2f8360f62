package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.S3Handle;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer process as the operator sees it: SIGTERM gives a checkpoint and the resumable exit
 * code, an unreachable API server costs nothing, a failure is one line with no secrets.
 */
@RealCluster
class GracefulStopIT {
    // The real secret key of the test MinIO the trainer writes to: it must leak nowhere.
    private static final String AWS_SECRET = TestEnvironment.get().s3().secretKey();
    private static final String HF_TOKEN = "hf_fAkEtOkEn5e7a9c31";

    @TempDir Path dir;

    @Test
    void sigtermWritesACheckpointAndExitsResumable(KubernetesClient client, TestNamespace ns)
            throws Exception {
        String name = "stopped";
        String yaml = TinyJobs.yaml(name, ns.name(), TinyJobs.data(dir, 200), 5000, 1000);
        client.resources(FineTuneJob.class)
                .resource(client.getKubernetesSerialization().unmarshal(yaml, FineTuneJob.class))
                .create();
        String token = TrainerRbac.token(client, TrainerRbac.grant(client, "finetunejobs", name));
        Map<String, String> env =
                new HashMap<>(
                        TrainerProcess.inClusterEnv(
                                TestEnvironment.get().config(ns.name()), token, ns.name(), dir));
        env.putAll(reportingEnv());
        Path log = dir.resolve("trainer.log");
        Process trainer =
                TrainerProcess.start(
                        dir,
                        env,
                        log,
                        "train",
                        Files.writeString(dir.resolve("job.yaml"), yaml).toString());

        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (step(client, name) < 5 && System.nanoTime() < deadline && trainer.isAlive()) {
            Thread.sleep(200);
        }
        assertThat(step(client, name)).as(Files.readString(log)).isGreaterThanOrEqualTo(5);
        trainer.destroy(); // SIGTERM, as the kubelet stops a container

        assertThat(trainer.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(trainer.exitValue())
                .as(Files.readString(log))
                .isEqualTo(TrainerContract.EXIT_RESUMABLE);
        TrainerResult result = terminationMessage(client);
        assertThat(result.error).isNull();
        assertThat(result.lastCheckpoint.step).isPositive().isEqualTo(result.steps);
        // named where a new attempt finds it: in S3, complete (manifest uploaded before exit)
        String checkpoint = result.lastCheckpoint.uri;
        assertThat(checkpoint)
                .isEqualTo(
                        TinyJobs.outputUri(name, ns.name())
                                + String.format("/checkpoints/step-%08d", result.steps));
        S3Handle s3 = TestEnvironment.get().s3();
        String key = checkpoint.substring(("s3://" + s3.bucket() + "/").length());
        assertThat(
                        s3.client()
                                .statObject(
                                        io.minio.StatObjectArgs.builder()
                                                .bucket(s3.bucket())
                                                .object(key + "/manifest.json")
                                                .build())
                                .size())
                .isPositive();
        FineTuneJobStatus status =
                client.resources(FineTuneJob.class).withName(name).get().getStatus();
        assertThat(status.lastCheckpoint.step).isEqualTo(result.lastCheckpoint.step);
    }

    @Test
    void anUnreachableApiServerDoesNotStopTraining(TestNamespace ns) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(reportingEnv());
        env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", String.valueOf(closedPort));
        env.put("KUBERNETES_NAMESPACE", ns.name());
        Path job =
                Files.writeString(
                        dir.resolve("job.yaml"),
                        TinyJobs.yaml("unreachable", ns.name(), TinyJobs.data(dir, 40), 20, 10));
        Path log = dir.resolve("trainer.log");

        Process trainer = TrainerProcess.start(dir, env, log, "train", job.toString());

        assertThat(trainer.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assertThat(trainer.exitValue()).as(output).isEqualTo(TrainerContract.EXIT_SUCCEEDED);
        assertThat(output.lines().filter(l -> l.contains("could not report")))
                .singleElement()
                .satisfies(l -> assertThat(l).contains("finetunejobs/unreachable"));
        TrainerResult result = readResult();
        assertThat(result.steps).isEqualTo(20);
        assertThat(result.adapterUri).isNotNull();
    }

    @Test
    void aFailureIsOneLineWithNoSecretValues(TestNamespace ns) throws Exception {
        // a path a user could write by mistake, holding a secret: the error names it
        Path missing = dir.resolve(AWS_SECRET).resolve("data.jsonl");
        Path job =
                Files.writeString(
                        dir.resolve("job.yaml"),
                        TinyJobs.yaml("failing", ns.name(), missing, 4, 2));
        Path log = dir.resolve("trainer.log");

        Process trainer = TrainerProcess.start(dir, reportingEnv(), log, "train", job.toString());

        assertThat(trainer.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assertThat(trainer.exitValue()).as(output).isEqualTo(TrainerContract.EXIT_INVALID_SPEC);
        TrainerResult result = readResult();
        assertThat(result.error)
                .contains("spec.datasets[0].uri", "does not exist", SecretRedactor.MASK)
                .doesNotContain("\n");
        for (String secret : List.of(AWS_SECRET, HF_TOKEN)) {
            assertThat(output).doesNotContain(secret);
            assertThat(Files.readString(messageFile())).doesNotContain(secret);
        }
    }

    private Map<String, String> reportingEnv() {
        Map<String, String> env = new HashMap<>(TinyJobs.s3Env());
        env.put(TrainerContract.REPORT_STATUS_ENV, "true");
        env.put(StatusReporting.INTERVAL_ENV, "1");
        env.put(TerminationMessage.PATH_ENV, messageFile().toString());
        env.put("HF_TOKEN", HF_TOKEN);
        env.put(TrainerContract.CACHE_DIR_ENV, dir.resolve("cache").toString());
        return env;
    }

    private Path messageFile() {
        return dir.resolve("termination-log");
    }

    private TrainerResult terminationMessage(KubernetesClient client) throws Exception {
        return client.getKubernetesSerialization()
                .unmarshal(Files.readString(messageFile()), TrainerResult.class);
    }

    private TrainerResult readResult() throws Exception {
        return new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .unmarshal(Files.readString(messageFile()), TrainerResult.class);
    }

    private static long step(KubernetesClient client, String name) {
        FineTuneJobStatus status =
                client.resources(FineTuneJob.class).withName(name).get().getStatus();
        return status == null || status.progress == null ? -1 : status.progress.step;
    }
}
