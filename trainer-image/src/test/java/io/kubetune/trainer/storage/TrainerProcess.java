package io.kubetune.trainer.storage;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@code kubetune train} process started the way a pod starts it (a child JVM on the test class
 * path, one libtorch thread), with the S3 settings in its environment; plus the small job and the
 * S3 helpers the storage ITs share.
 */
final class TrainerProcess {
    static final Path MODEL = Path.of("../examples/models/tiny-llama-moby");
    static final Path DATA = Path.of("../examples/data/wordnet-definitions.jsonl");
    static final String HF_TOKEN = "hf_never_printed_7f3a9c";

    private TrainerProcess() {}

    /** Starts the trainer; stdout and stderr go to {@code log}. */
    static Process start(Path jobFile, Path cacheDir, Map<String, String> s3Env, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-Dai.djl.pytorch.num_threads=1");
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.kubetune.trainer.cli.KubetuneCli");
        cmd.add("train");
        cmd.add(jobFile.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(s3Env);
        pb.environment().put("KUBETUNE_CACHE_DIR", cacheDir.toString());
        pb.environment().put("HF_TOKEN", HF_TOKEN);
        pb.environment()
                .putIfAbsent(
                        "DJL_CACHE_DIR",
                        Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        return pb.start();
    }

    static Map<String, String> s3Env(String endpoint, String access, String secret, String region) {
        return Map.of(
                "AWS_ENDPOINT_URL", endpoint,
                "AWS_ACCESS_KEY_ID", access,
                "AWS_SECRET_ACCESS_KEY", secret,
                "AWS_REGION", region);
    }

    /** A tiny LoRA SFT job reading model and data from {@code s3://bucket/inputs}. */
    static Path writeJob(
            Path dir, String name, String bucket, String inputs, String output, int maxSteps)
            throws IOException {
        String yaml =
                """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %s
                  namespace: storage-it
                spec:
                  model:
                    uri: s3://%s/%s/model/
                  datasets:
                    - uri: s3://%s/%s/train.jsonl
                      format: alpaca
                      template: alpaca
                  stage: sft
                  method:
                    type: lora
                    lora:
                      r: 4
                      alpha: 8
                      targetModules: [q_proj, v_proj]
                  training:
                    maxSteps: %d
                    batchSize: 4
                    learningRate: "3e-3"
                    cutoffLength: 96
                    batching: padding
                    seed: 7
                    loggingSteps: 1
                  checkpoint:
                    everySteps: 3
                    keepLast: 2
                  output:
                    uri: s3://%s/%s
                """
                        .formatted(name, bucket, inputs, bucket, inputs, maxSteps, bucket, output);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Copies the tiny model and the first 120 records of the data set under {@code prefix}. */
    static void uploadInputs(MinioClient minio, String bucket, String prefix) throws Exception {
        try (Stream<Path> files = Files.list(MODEL)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                put(minio, bucket, prefix + "/model/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        List<String> lines = Files.readAllLines(DATA).subList(0, 120);
        put(
                minio,
                bucket,
                prefix + "/train.jsonl",
                (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void put(MinioClient minio, String bucket, String key, byte[] bytes) throws Exception {
        minio.putObject(
                PutObjectArgs.builder().bucket(bucket).object(key).stream(
                                new ByteArrayInputStream(bytes), bytes.length, -1)
                        .build());
    }

    /** Keys under a prefix, with their sizes. */
    static Map<String, Long> list(MinioClient minio, String bucket, String prefix)
            throws Exception {
        Map<String, Long> keys = new java.util.TreeMap<>();
        for (Result<Item> r :
                minio.listObjects(
                        ListObjectsArgs.builder()
                                .bucket(bucket)
                                .prefix(prefix)
                                .recursive(true)
                                .build())) {
            keys.put(r.get().objectName(), r.get().size());
        }
        return keys;
    }
}
