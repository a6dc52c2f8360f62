package io.kubetune.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stops the test environment when the last test JVM that used it ends, if a build started it: the
 * README's {@code ./mvnw verify} leaves no etcd, API server, controller manager, scheduler, kwok or
 * MinIO running. An environment started by hand ({@code test-env/up.sh}) is left alone, and so is
 * one started with {@code -Dkubetune.keepTestEnv=true} or {@code KUBETUNE_KEEP_TEST_ENV=true}.
 *
 * <p>Each JVM holds a lease (a file named by its pid under the state directory); the one that
 * started the environment marks it; the last live lease holder at exit runs {@code down.sh}. Test
 * JVMs of other builds on the same environment hold leases too, so none stops it under another.
 */
final class TestEnvironmentLease {
    /** System property that keeps the environment running after the build. */
    static final String KEEP_PROPERTY = "kubetune.keepTestEnv";

    static final String KEEP_ENV = "KUBETUNE_KEEP_TEST_ENV";

    private final Path stateDir;
    private final Path repoRoot;

    private TestEnvironmentLease(Path stateDir, Path repoRoot) {
        this.stateDir = stateDir;
        this.repoRoot = repoRoot;
    }

    /** Takes this JVM's lease on the environment; {@code startedHere}: this JVM ran up.sh. */
    static void take(Path stateDir, Path repoRoot, boolean startedHere) {
        TestEnvironmentLease lease = new TestEnvironmentLease(stateDir, repoRoot);
        try {
            Files.createDirectories(lease.leases());
            Files.writeString(lease.own(), "");
            if (startedHere && !keep()) {
                Files.writeString(lease.marker(), "started by a test build; stopped after it\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(lease::release, "test-env-lease"));
    }

    static boolean keep() {
        return Boolean.getBoolean(KEEP_PROPERTY)
                || "true".equalsIgnoreCase(System.getenv(KEEP_ENV));
    }

    private Path leases() {
        return stateDir.resolve("leases");
    }

    private Path own() {
        return leases().resolve(Long.toString(ProcessHandle.current().pid()));
    }

    private Path marker() {
        return stateDir.resolve("stop-after-build");
    }

    private void release() {
        try {
            Files.deleteIfExists(own());
            if (keep() || !Files.exists(marker()) || otherLiveLeases()) {
                return;
            }
            Files.deleteIfExists(marker());
            System.err.println(
                    "[kubetune-testing] stopping the test environment the build started"
                            + " (-D"
                            + KEEP_PROPERTY
                            + "=true keeps it)");
            Process p =
                    new ProcessBuilder("bash", repoRoot.resolve("test-env/down.sh").toString())
                            .directory(repoRoot.toFile())
                            .inheritIO()
                            .start();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("[kubetune-testing] could not stop the test environment: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Leases of JVMs still running (a killed JVM's lease stays behind: its pid is checked). */
    private boolean otherLiveLeases() throws IOException {
        try (Stream<Path> files = Files.list(leases())) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("[0-9]+"))
                    .mapToLong(Long::parseLong)
                    .anyMatch(
                            pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }
}
