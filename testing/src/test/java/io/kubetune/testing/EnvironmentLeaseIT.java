package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code ./mvnw verify} leaves no test-environment process behind: a test JVM that
 * started the environment stops it when it ends, unless asked to keep it; one started by hand
 * stays. Run on a private environment (own state directory and ports), never the shared one.
 */
class EnvironmentLeaseIT {
    @TempDir Path state;

    private Map<String, String> privateEnv() {
        return Map.of(
                "KUBETUNE_TEST_ENV_DIR", state.toString(),
                "KUBETUNE_ETCD_PORT", "22379",
                "KUBETUNE_ETCD_PEER_PORT", "22380",
                "KUBETUNE_APISERVER_PORT", "26443",
                "KUBETUNE_KCM_PORT", "20357",
                "KUBETUNE_SCHEDULER_PORT", "20359",
                "KUBETUNE_MINIO_PORT", "29000",
                "KUBETUNE_MINIO_CONSOLE_PORT", "29001",
                "KUBETUNE_MLFLOW_PORT", "25000");
    }

    /**
     * Runs only where test-env's binaries are built: up.sh would build them otherwise, into the
     * same cache folder another build may be filling.
     */
    @BeforeEach
    void binariesAreBuilt() throws IOException {
        Map<String, String> v =
                TestEnvironment.readEnvFile(root().resolve("test-env/versions.env"));
        Path bin = Path.of(System.getProperty("user.home"), ".cache", "kubetune", "bin");
        for (String dir :
                List.of(
                        "kubernetes-" + v.get("KUBERNETES_VERSION"),
                        "kubectl-" + v.get("KUBERNETES_VERSION"),
                        "etcd-" + v.get("ETCD_VERSION"),
                        "kwok-" + v.get("KWOK_VERSION"),
                        "minio-" + v.get("MINIO_VERSION"),
                        "helm-" + v.get("HELM_VERSION"))) {
            assumeTrue(Files.isDirectory(bin.resolve(dir)), dir + " is not built yet");
        }
    }

    @AfterEach
    void down() throws Exception {
        if (Files.isDirectory(state.resolve("pids"))) {
            run(List.of("bash", root().resolve("test-env/down.sh").toString()));
        }
    }

    @Test
    void aTestJvmThatStartedTheEnvironmentStopsItWhenItEnds() throws Exception {
        assertThat(useIt(List.of())).isZero();

        assertThat(processesOf(state)).as("test-env processes left running").isEmpty();
    }

    @Test
    void keepTestEnvLeavesItRunning() throws Exception {
        assertThat(useIt(List.of("-D" + TestEnvironmentLease.KEEP_PROPERTY + "=true"))).isZero();

        assertThat(processesOf(state)).hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void anEnvironmentStartedByHandIsLeftRunning() throws Exception {
        assertThat(run(List.of("bash", root().resolve("test-env/up.sh").toString()))).isZero();

        assertThat(useIt(List.of())).isZero();

        assertThat(processesOf(state)).hasSizeGreaterThanOrEqualTo(6);
    }

    private int useIt(List<String> jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-D" + TestEnvironment.REPO_ROOT_PROPERTY + "=" + root());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.add(UseTestEnvironment.class.getName());
        return run(cmd);
    }

    private int run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO().directory(root().toFile());
        pb.environment().putAll(privateEnv());
        pb.environment().remove(TestEnvironmentLease.KEEP_ENV);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not end within 10 minutes");
        }
        return p.exitValue();
    }

    private static Path root() {
        return TestEnvironment.findRepoRoot();
    }

    /** Pids of processes whose command line names the state directory. */
    static List<Long> processesOf(Path stateDir) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p :
                    procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(stateDir + "/")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // ended meanwhile, or not ours to read
                }
            }
        }
        return pids;
    }
}
