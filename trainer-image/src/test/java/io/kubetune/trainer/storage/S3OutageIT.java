package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.MinioClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 down for 30 s while the trainer uploads: training goes on, the uploads finish once S3 is back
 * and nothing is missing. Uses a private MinIO (same binary as test-env/) so the shared one is
 * never stopped.
 */
class S3OutageIT {
    private static final int STEPS = 45;

    @TempDir Path dir;

    @Test
    void uploadsSurviveA30SecondOutageWhileTrainingGoesOn() throws Exception {
        try (PrivateMinio s3 = new PrivateMinio(dir)) {
            s3.start();
            s3.createBucket();
            MinioClient minio = s3.client();
            TrainerProcess.uploadInputs(minio, s3.bucket, "inputs");
            Path job = TrainerProcess.writeJob(dir, "outage", s3.bucket, "inputs", "out", STEPS);
            Path cache = dir.resolve("cache");
            Path log = dir.resolve("trainer.log");
            Path checkpoints = cache.resolve("runs/storage-it/outage/checkpoints");
            Process trainer =
                    TrainerProcess.start(
                            job,
                            cache,
                            TrainerProcess.s3Env(
                                    s3.endpoint(), s3.accessKey, s3.secretKey, "us-east-1"),
                            log);

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (TrainerProcess.list(minio, s3.bucket, "out/checkpoints/").keySet().stream()
                    .noneMatch(k -> k.endsWith("/manifest.json"))) {
                assertThat(trainer.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(100);
            }
            s3.stop();
            long stepAtOutage = newestLocal(checkpoints);
            long t0 = System.nanoTime();
            Thread.sleep(30_000);
            long stepAfterOutage = newestLocal(checkpoints);
            s3.start();
            System.out.printf(
                    "[S3OutageIT] MinIO down 30 s; local checkpoints step %d -> %d%n",
                    stepAtOutage, stepAfterOutage);
            // training did not wait for S3
            assertThat(stepAfterOutage).isGreaterThan(stepAtOutage);

            assertThat(trainer.waitFor(10, TimeUnit.MINUTES)).isTrue();
            System.out.printf(
                    "[S3OutageIT] trainer done %.1f s after the outage began%n",
                    (System.nanoTime() - t0) / 1e9);
            String text = Files.readString(log);
            assertThat(trainer.exitValue()).as(text).isZero();
            assertThat(text).contains("retrying");

            Map<String, Long> keys = TrainerProcess.list(minio, s3.bucket, "out/");
            assertThat(keys)
                    .containsKeys(
                            "out/adapter/adapter_model.safetensors",
                            "out/checkpoints/step-00000042/manifest.json",
                            "out/checkpoints/step-00000045/manifest.json");
            Path work = cache.resolve("runs/storage-it/outage");
            // nothing lost: every file of the run folder is in S3 with its bytes
            for (String rel :
                    new String[] {
                        "metrics.jsonl",
                        "adapter/adapter_model.safetensors",
                        "checkpoints/step-00000045/trainable.safetensors",
                        "checkpoints/step-00000045/optimizer.safetensors"
                    }) {
                assertThat(S3TrainingIT.get(minio, s3.bucket, "out/" + rel))
                        .as(rel)
                        .isEqualTo(Files.readAllBytes(work.resolve(rel)));
            }
            assertThat(text).doesNotContain(s3.secretKey).doesNotContain(TrainerProcess.HF_TOKEN);
        }
    }

    private static long newestLocal(Path checkpoints) throws Exception {
        try (Stream<Path> dirs = Files.list(checkpoints)) {
            Optional<String> newest =
                    dirs.filter(d -> Files.exists(d.resolve("manifest.json")))
                            .map(d -> d.getFileName().toString())
                            .max(String::compareTo);
            return newest.map(n -> Long.parseLong(n.substring("step-".length()))).orElse(0L);
        }
    }
}
