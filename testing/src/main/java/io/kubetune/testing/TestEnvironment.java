package io.kubetune.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Kubernetes API server and MinIO that {@code test-env/up.sh} runs on 127.0.0.1, as seen
 * by tests: the settings from the env file that up.sh writes, clients for both.
 *
 * <p>{@link #get()} starts the environment once per JVM when it is not up (the first run on a
 * machine builds the binaries with Go, which takes many minutes); one started so is stopped when
 * the last test JVM using it ends ({@link TestEnvironmentLease}).
 */
public final class TestEnvironment {

    /** System property (or environment variable KUBETUNE_REPO_ROOT) naming the repository root. */
    public static final String REPO_ROOT_PROPERTY = "kubetune.repoRoot";

    /** Keys every env file of the current up.sh has (the kubectl and helm binaries included). */
    static final List<String> REQUIRED_KEYS = List.of("KUBECONFIG", "KUBECTL", "HELM");

    private static volatile TestEnvironment instance;

    private final Path repoRoot;
    private final Map<String, String> values;

    private TestEnvironment(Path repoRoot, Map<String, String> values) {
        this.repoRoot = repoRoot;
        this.values = Map.copyOf(values);
    }

    /** The environment, started by {@code test-env/up.sh} first if it is not up. */
    public static TestEnvironment get() {
        TestEnvironment env = instance;
        if (env == null) {
            synchronized (TestEnvironment.class) {
                env = instance;
                if (env == null) {
                    env = instance = ensureUp();
                }
            }
        }
        return env;
    }

    private static TestEnvironment ensureUp() {
        Path root = findRepoRoot();
        Path envFile = defaultEnvFile();
        if (Files.isRegularFile(envFile)) {
            TestEnvironment existing = new TestEnvironment(root, readEnvFile(envFile));
            // an env file of an older up.sh lacks newer keys: up.sh again builds what is missing
            if (existing.values.keySet().containsAll(REQUIRED_KEYS) && existing.isHealthy()) {
                TestEnvironmentLease.take(envFile.getParent(), root, false);
                return existing;
            }
        }
        Path written = runUpScript(root);
        TestEnvironmentLease.take(written.getParent(), root, true);
        return new TestEnvironment(root, readEnvFile(written));
    }

    /** Where up.sh writes its env file for the default (or KUBETUNE_TEST_ENV_DIR) state dir. */
    static Path defaultEnvFile() {
        String dir = System.getenv("KUBETUNE_TEST_ENV_DIR");
        if (dir == null || dir.isBlank()) {
            String cache = System.getenv("KUBETUNE_CACHE");
            Path base =
                    cache == null || cache.isBlank()
                            ? Path.of(System.getProperty("user.home"), ".cache", "kubetune")
                            : Path.of(cache);
            return base.resolve("env").resolve("test-env.env");
        }
        return Path.of(dir).resolve("test-env.env");
    }

    /**
     * The repository root: {@code -Dkubetune.repoRoot}, {@code KUBETUNE_REPO_ROOT}, or the first
     * directory upwards from the working directory that holds {@code test-env/up.sh}.
     */
    public static Path findRepoRoot() {
        for (String candidate :
                new String[] {
                    System.getProperty(REPO_ROOT_PROPERTY), System.getenv("KUBETUNE_REPO_ROOT")
                }) {
            if (candidate != null && !candidate.isBlank()) {
                Path p = Path.of(candidate).toAbsolutePath().normalize();
                if (Files.isRegularFile(p.resolve("test-env/up.sh"))) {
                    return p;
                }
            }
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("test-env/up.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "test-env/up.sh not found above "
                        + Path.of("").toAbsolutePath()
                        + "; set -D"
                        + REPO_ROOT_PROPERTY
                        + "=<repository root>");
    }

    private static Path runUpScript(Path root) {
        Path script = root.resolve("test-env/up.sh");
        System.err.println(
                "[kubetune-testing] starting the test environment: "
                        + script
                        + " (the first run on a machine builds Kubernetes, etcd, kwok and MinIO"
                        + " with Go: 15-30 min)");
        try {
            Process p =
                    new ProcessBuilder("bash", script.toString())
                            .directory(root.toFile())
                            .redirectErrorStream(true)
                            .start();
            p.getOutputStream().close();
            String last = null;
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.err.println("[test-env] " + line);
                    if (!line.isBlank()) {
                        last = line.trim();
                    }
                }
            }
            if (!p.waitFor(2, TimeUnit.HOURS)) {
                p.destroy();
                throw new IllegalStateException(script + " did not finish within 2 hours");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        script + " failed (exit " + p.exitValue() + "); see its output above");
            }
            // up.sh prints the env file path as its last line
            Path envFile = last == null ? defaultEnvFile() : Path.of(last);
            if (!Files.isRegularFile(envFile)) {
                envFile = defaultEnvFile();
            }
            return envFile;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    static Map<String, String> readEnvFile(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.trim();
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                    continue;
                }
                values.put(l.substring(0, eq), l.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return values;
    }

    private boolean isHealthy() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            // the API server's /readyz and MinIO's health endpoint
            if (!Files.isRegularFile(kubeconfigPath())) {
                return false;
            }
            try (KubernetesClient c = newClient()) {
                String ready = c.raw("/readyz");
                if (ready == null || !ready.startsWith("ok")) {
                    return false;
                }
            }
            HttpResponse<Void> minio =
                    http.send(
                            HttpRequest.newBuilder(URI.create(s3Endpoint() + "/minio/health/ready"))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            return minio.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** A value of the env file (e.g. {@code KUBETUNE_API_URL}). */
    public String value(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("test-env env file has no " + key + ": " + values);
        }
        return v;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    public Path kubeconfigPath() {
        return Path.of(value("KUBECONFIG"));
    }

    public String apiUrl() {
        return value("KUBETUNE_API_URL");
    }

    /** The kubectl binary of the environment's Kubernetes version (built by up.sh). */
    public Path kubectl() {
        return Path.of(value("KUBECTL"));
    }

    /** The Helm 3 binary (built by up.sh; version in test-env/versions.env). */
    public Path helm() {
        return Path.of(value("HELM"));
    }

    public String kubernetesVersion() {
        return value("KUBETUNE_KUBERNETES_VERSION");
    }

    /** Names of the kwok fake nodes (pods are scheduled onto these). */
    public List<String> fakeNodes() {
        return Arrays.asList(value("KUBETUNE_FAKE_NODES").split(","));
    }

    public String s3Endpoint() {
        return value("KUBETUNE_S3_ENDPOINT");
    }

    public S3Handle s3() {
        return new S3Handle(
                s3Endpoint(),
                value("KUBETUNE_S3_ACCESS_KEY"),
                value("KUBETUNE_S3_SECRET_KEY"),
                value("KUBETUNE_S3_BUCKET"),
                value("KUBETUNE_S3_REGION"));
    }

    /** Client configuration of the cluster admin (system:masters), default namespace given. */
    public Config config(String namespace) {
        try {
            String kubeconfig = Files.readString(kubeconfigPath());
            Config base = Config.fromKubeconfig(kubeconfig);
            ConfigBuilder b = new ConfigBuilder(base);
            if (namespace != null) {
                b.withNamespace(namespace);
            }
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new admin client (close it); its default namespace is "default". */
    public KubernetesClient newClient() {
        return newClient(null);
    }

    /** A new admin client (close it) whose default namespace is the given one. */
    public KubernetesClient newClient(String namespace) {
        return new KubernetesClientBuilder().withConfig(config(namespace)).build();
    }
}
