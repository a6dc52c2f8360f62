package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.S3Handle;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer process against the real MinIO of test-env/: inputs from S3, results and checkpoints
 * (with manifests) to S3, and a SIGKILLed run resumed from S3 to the same adapter.
 */
@RealCluster(applyRepoCrds = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3TrainingIT {
    private static final int STEPS = 30;

    private Path dir;
    private String prefix;
    private Map<String, String> env;
    private byte[] straightAdapter;
    private String straightLog;

    @BeforeAll
    void uninterruptedRun(MinioClient minio, S3Handle s3, @TempDir Path tmp) throws Exception {
        dir = tmp;
        prefix = "storage-it/" + UUID.randomUUID();
        TrainerProcess.uploadInputs(minio, s3.bucket(), prefix + "/inputs");
        env = TrainerProcess.s3Env(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region());
        Path job =
                TrainerProcess.writeJob(
                        dir,
                        "straight",
                        s3.bucket(),
                        prefix + "/inputs",
                        prefix + "/straight",
                        STEPS);
        Path log = dir.resolve("straight.log");
        long t0 = System.nanoTime();
        Process p = TrainerProcess.start(job, dir.resolve("cache-straight"), env, log);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        straightLog = Files.readString(log);
        System.out.printf(
                "[S3TrainingIT] uninterrupted run: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(p.exitValue()).as(straightLog).isZero();
        straightAdapter =
                get(minio, s3.bucket(), prefix + "/straight/adapter/adapter_model.safetensors");
    }

    @Test
    void adapterCheckpointsWithManifestsAndMetricsAppearInS3(MinioClient minio, S3Handle s3)
            throws Exception {
        Map<String, Long> keys = TrainerProcess.list(minio, s3.bucket(), prefix + "/straight/");
        String out = prefix + "/straight/";
        assertThat(keys)
                .containsKeys(
                        out + "adapter/adapter_model.safetensors",
                        out + "adapter/adapter_config.json",
                        out + "metrics.jsonl");
        assertThat(keys.get(out + "metrics.jsonl")).isPositive();
        // keepLast 2 of the checkpoints at steps 3, 6, ..., 30
        assertThat(keys.keySet().stream().filter(k -> k.endsWith("/manifest.json")))
                .containsExactly(
                        out + "checkpoints/step-00000027/manifest.json",
                        out + "checkpoints/step-00000030/manifest.json");
        String manifestKey = out + "checkpoints/step-00000030/manifest.json";
        JsonObject files =
                JsonParser.parseString(
                                new String(
                                        get(minio, s3.bucket(), manifestKey),
                                        StandardCharsets.UTF_8))
                        .getAsJsonObject()
                        .getAsJsonObject("files");
        assertThat(files.keySet()).isNotEmpty();
        for (String file : files.keySet()) {
            String key = out + "checkpoints/step-00000030/" + file;
            assertThat(keys.get(key))
                    .as(key)
                    .isEqualTo(files.getAsJsonObject(file).get("size").getAsLong());
            assertThat(
                            Checksums.sha256(
                                    new java.io.ByteArrayInputStream(get(minio, s3.bucket(), key))))
                    .isEqualTo(files.getAsJsonObject(file).get("sha256").getAsString());
        }
        assertNoSecrets(straightLog, s3);
    }

    @Test
    void killedTrainerResumesFromTheNewestCompleteS3CheckpointToTheSameAdapter(
            MinioClient minio, S3Handle s3) throws Exception {
        Path job =
                TrainerProcess.writeJob(
                        dir, "killed", s3.bucket(), prefix + "/inputs", prefix + "/killed", STEPS);
        String out = prefix + "/killed/";
        int killAfter = 3 * ThreadLocalRandom.current().nextInt(1, 6); // step 3..15
        Path log = dir.resolve("killed.log");
        Process first = TrainerProcess.start(job, dir.resolve("cache-first-pod"), env, log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        String newest = null;
        while (first.isAlive() && System.nanoTime() < deadline) {
            newest =
                    TrainerProcess.list(minio, s3.bucket(), out + "checkpoints/").keySet().stream()
                            .filter(k -> k.endsWith("/manifest.json"))
                            .max(String::compareTo)
                            .orElse(null);
            if (newest != null && stepOf(newest) >= killAfter) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(first.isAlive()).as("still training when killed").isTrue();
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
        first.waitFor();
        System.out.println("[S3TrainingIT] killed after S3 had " + newest);
        // an upload cut off half-way: files and no manifest, newer than every complete one
        TrainerProcess.put(
                minio,
                s3.bucket(),
                out + "checkpoints/step-00000029/trainable.safetensors",
                new byte[] {1, 2, 3});

        // a new pod: empty cache, everything comes from S3
        Process second = TrainerProcess.start(job, dir.resolve("cache-second-pod"), env, log);
        assertThat(second.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String text = Files.readString(log);
        assertThat(second.exitValue()).as(text).isZero();
        assertThat(text)
                .contains("resuming from s3://" + s3.bucket() + "/" + out + "checkpoints/step-");
        assertThat(text)
                .doesNotContain(
                        "resuming from s3://"
                                + s3.bucket()
                                + "/"
                                + out
                                + "checkpoints/step-00000029");
        assertThat(get(minio, s3.bucket(), out + "adapter/adapter_model.safetensors"))
                .isEqualTo(straightAdapter);
        assertNoSecrets(text, s3);
    }

    static void assertNoSecrets(String log, S3Handle s3) {
        assertThat(log).doesNotContain(s3.secretKey()).doesNotContain(TrainerProcess.HF_TOKEN);
    }

    private static long stepOf(String manifestKey) {
        String dirName = manifestKey.substring(0, manifestKey.lastIndexOf('/'));
        return Long.parseLong(dirName.substring(dirName.lastIndexOf("step-") + 5));
    }

    static byte[] get(MinioClient minio, String bucket, String key) throws Exception {
        try (InputStream in =
                minio.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }
}
