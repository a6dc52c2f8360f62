package io.kubetune.trainer.status;

import io.kubetune.testing.S3Handle;
import io.kubetune.testing.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A LoRA FineTuneJob on the tiny Llama model and a few WordNet lines, as its YAML. */
final class TinyJobs {
    private TinyJobs() {}

    static Path model() {
        return TestEnvironment.findRepoRoot().resolve("examples/models/tiny-llama-moby");
    }

    /** The first {@code lines} lines of the WordNet definitions, copied into {@code dir}. */
    static Path data(Path dir, int lines) throws IOException {
        Path all =
                TestEnvironment.findRepoRoot().resolve("examples/data/wordnet-definitions.jsonl");
        List<String> head = Files.readAllLines(all).subList(0, lines);
        return Files.write(dir.resolve("wordnet-" + lines + ".jsonl"), head);
    }

    static String yaml(String name, String namespace, Path data, int maxSteps, int everySteps) {
        return """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  model:
                    uri: %s
                  datasets:
                    - uri: %s
                      format: alpaca
                      template: alpaca
                  method:
                    type: lora
                    lora: {r: 4, alpha: 8, targetModules: [all-linear]}
                  training:
                    maxSteps: %d
                    batchSize: 4
                    learningRate: "1e-3"
                    cutoffLength: 96
                    loggingSteps: 10
                    seed: 42
                  checkpoint:
                    everySteps: %d
                  output:
                    uri: %s
                """
                .formatted(
                        name,
                        namespace,
                        model(),
                        data,
                        maxSteps,
                        everySteps,
                        outputUri(name, namespace));
    }

    /** The job's output on the test MinIO. */
    static String outputUri(String name, String namespace) {
        return "s3://%s/status-its/%s/%s"
                .formatted(TestEnvironment.get().s3().bucket(), namespace, name);
    }

    /** The S3 settings a pod gets from the output's Secret: the test MinIO's. */
    static Map<String, String> s3Env() {
        S3Handle s3 = TestEnvironment.get().s3();
        return Map.of(
                "AWS_ENDPOINT_URL", s3.endpoint(),
                "AWS_REGION", s3.region(),
                "AWS_ACCESS_KEY_ID", s3.accessKey(),
                "AWS_SECRET_ACCESS_KEY", s3.secretKey());
    }
}
