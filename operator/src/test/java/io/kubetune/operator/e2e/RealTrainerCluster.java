package io.kubetune.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.testing.S3Handle;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import io.kubetune.testing.TestPodRunner;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The setting of the tests that run the real trainer: the pod runner starts trainer-image's jar as
 * the trainer image's entrypoint, the operator runs in this JVM, the tiny example model lies in
 * MinIO under a prefix of the test's own, and the S3 credentials are a Secret in the namespace.
 */
final class RealTrainerCluster implements AutoCloseable {
    static final String IMAGE = "kubetune/trainer:it";

    final KubernetesClient client;
    final TestPodRunner runner;
    final S3Handle s3;
    private final MinioClient minio;
    private final String prefix;
    private final TestOperator operator;

    private RealTrainerCluster(
            KubernetesClient client,
            TestPodRunner runner,
            S3Handle s3,
            MinioClient minio,
            String prefix,
            TestOperator operator) {
        this.client = client;
        this.runner = runner;
        this.s3 = s3;
        this.minio = minio;
        this.prefix = prefix;
        this.operator = operator;
    }

    /** Skips the test class (assumption) when the trainer jar has not been built. */
    static RealTrainerCluster start(
            KubernetesClient client, TestNamespace ns, S3Handle s3, MinioClient minio)
            throws Exception {
        Path jar = repo().resolve("trainer-image/target/kubetune-trainer.jar");
        assumeTrue(
                Files.isRegularFile(jar),
                jar
                        + " is missing: build it with ./mvnw -o -q -pl trainer-image -am package -DskipTests");
        String prefix = "operator-it/" + UUID.randomUUID();
        client.resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("s3-credentials")
                                .endMetadata()
                                .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
                                .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey())
                                .addToStringData("AWS_ENDPOINT_URL", s3.endpoint())
                                .addToStringData("AWS_REGION", s3.region())
                                .build())
                .create();
        TestPodRunner runner =
                TestPodRunner.builder(client, ns.name())
                        .imageEntrypoint("kubetune/trainer*", trainerCommand(jar))
                        .start();
        TestOperator operator =
                TestOperator.start(
                        ns.name(), new OperatorSettings(IMAGE, null, Duration.ofSeconds(5)), 4);
        RealTrainerCluster cluster =
                new RealTrainerCluster(client, runner, s3, minio, prefix, operator);
        try (Stream<Path> files = Files.list(repo().resolve("examples/models/tiny-llama-moby"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                cluster.put("model/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        return cluster;
    }

    private static List<String> trainerCommand(Path jar) {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dai.djl.offline=true",
                // the pod's HOME is its own /tmp: libtorch comes from the machine's cache
                "-DDJL_CACHE_DIR=" + Path.of(System.getProperty("user.home"), ".djl.ai"),
                "-jar",
                jar.toString());
    }

    static Path repo() {
        return TestEnvironment.get().repoRoot();
    }

    /** The object key of {@code key} under this cluster's prefix. */
    String key(String key) {
        return prefix + "/" + key;
    }

    /** {@code s3://bucket/prefix}, under which this cluster's objects lie. */
    String uri() {
        return "s3://" + s3.bucket() + "/" + prefix;
    }

    /** {@code s3://bucket/prefix/key}: the tiny model is at {@code uri("model/")}. */
    String uri(String key) {
        return "s3://" + s3.bucket() + "/" + key(key);
    }

    void put(String key, byte[] bytes) throws Exception {
        minio.putObject(
                PutObjectArgs.builder().bucket(s3.bucket()).object(key(key)).stream(
                                new ByteArrayInputStream(bytes), bytes.length, -1)
                        .build());
    }

    /** The first {@code count} lines of a repository file, uploaded as {@code key}. */
    void putLines(String key, String repoFile, int count) throws Exception {
        List<String> lines = Files.readAllLines(repo().resolve(repoFile)).subList(0, count);
        put(key, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** An object's text, by its {@code s3://} URI in this cluster's bucket. */
    String read(String uri) throws Exception {
        String bucketPrefix = "s3://" + s3.bucket() + "/";
        assertThat(uri).startsWith(bucketPrefix);
        try (InputStream in =
                minio.getObject(
                        GetObjectArgs.builder()
                                .bucket(s3.bucket())
                                .object(uri.substring(bucketPrefix.length()))
                                .build())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Runs kubectl against the test's namespace as a user would; fails on a non-zero exit. */
    String kubectl(String... args) throws Exception {
        TestEnvironment env = TestEnvironment.get();
        Path kubectl = env.kubectl();
        assumeTrue(
                Files.isExecutable(kubectl),
                "no kubectl at " + kubectl + " (test-env/up.sh builds it)");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                kubectl.toString(),
                                "--kubeconfig",
                                env.kubeconfigPath().toString(),
                                "-n",
                                client.getNamespace()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    @Override
    public void close() {
        try {
            operator.close();
        } finally {
            runner.close();
        }
    }
}
