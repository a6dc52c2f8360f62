package io.kubetune.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * TEST CODE ONLY: plays the kubelet for kubetune's pods on the kwok fake nodes, by running the
 * Pod's first container as a <b>local process</b> and writing the Pod status back to the real API
 * server. Real controllers (the Job controller, the garbage collector, our operator) then see the
 * pod run, succeed or fail as on a cluster.
 *
 * <p>It watches the Pods of one namespace that match a label selector (default {@code
 * app.kubernetes.io/managed-by=kubetune}; kwok's stages in {@code test-env/kwok.yaml} leave such
 * pods alone, and pods labelled {@code kubetune.io/pod-runner=<anything>}) and are bound to one of
 * the fake nodes. For each:
 *
 * <ul>
 *   <li>a directory stands for the container's root file system; its path is in the environment
 *       variable {@value #ROOT_ENV}. Each volumeMount at path {@code P} appears at {@code $ROOT/P}
 *       (a symbolic link to the volume's directory): ConfigMap, Secret, projected (ConfigMap,
 *       Secret, downward API, service-account token) and downward API volumes are written as files;
 *       emptyDir volumes are empty directories; a persistentVolumeClaim is a directory per claim
 *       shared by all pods of this runner (so a retried pod sees its predecessor's checkpoints).
 *   <li><b>Path substitution</b>: in the command, the args and the env values, every mount path and
 *       the terminationMessagePath that stand as a path (not preceded by a letter, digit, {@code _
 *       . / -}; followed by {@code /} or a character that is none of those, or the end) are
 *       replaced by their place under {@code $ROOT}: {@code --config=/etc/kubetune/job.json} and
 *       {@code sh -c 'cat /etc/kubetune/x > /dev/termination-log'} work unchanged; paths that a
 *       program builds itself need {@value #ROOT_ENV}. The termination message file is also given
 *       in {@value #TERMINATION_MESSAGE_PATH_ENV}.
 *   <li>env: the test JVM's environment (without KUBECONFIG) unless {@link
 *       Builder#inheritEnvironment(boolean) turned off}, then envFrom and env of the container with
 *       values resolved from ConfigMaps, Secrets, fieldRef and resourceFieldRef, {@code $(VAR)}
 *       references expanded as the kubelet does; KUBERNETES_SERVICE_HOST/PORT point at the real API
 *       server and, when the service-account volume is mounted,
 *       KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN, KUBERNETES_CERTS_CA_FILE and KUBERNETES_NAMESPACE let
 *       a Fabric8 client inside the process authenticate as the pod's service account (a real bound
 *       token).
 *   <li>command: the container's {@code command} + {@code args} (a registered entrypoint is taken
 *       as it is: it names host paths); an image without {@code command} needs its entrypoint
 *       registered with {@link Builder#imageEntrypoint}. The working directory is {@code
 *       $ROOT/<workingDir>} (default {@code $ROOT}). Init containers run first, in order.
 *       Containers after the first are not run: they are reported terminated (exit 0).
 *   <li>status: Running (containerStatuses[0].state.running, startTime, conditions Ready), then
 *       Succeeded or Failed with {@code state.terminated} carrying the exit code, reason
 *       (Completed/Error) and the termination message (the terminationMessagePath file, or the log
 *       tail with FallbackToLogsOnError). restartPolicy OnFailure/Always restarts the process in
 *       place (restartCount, lastState) as the kubelet does.
 *   <li>{@link #kill(String)} SIGKILLs the process (and its children): exit code 137. Deleting the
 *       Pod stops it (SIGTERM, SIGKILL after the grace period, at most 10 s), writes the terminal
 *       status and removes the Pod, as the kubelet does.
 * </ul>
 *
 * <p>The parts: {@link PodWatcher} picks the pods up, a {@link PodRun} runs one pod with its {@link
 * PodVolumes}, {@link PodPaths}, {@link ContainerEnvironment}, {@link ContainerLaunch} and {@link
 * ContainerProcess}, and {@link PodStatusWriter} reports it.
 */
public final class TestPodRunner implements AutoCloseable {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

    /** Pods with this label (any non-empty value) are left to the runner by kwok too. */
    public static final String POD_RUNNER_LABEL = "kubetune.io/pod-runner";

    /** Environment variable: the directory that stands for the container's "/". */
    public static final String ROOT_ENV = "KUBETUNE_POD_ROOT";

    /** Environment variable: where the process writes its termination message. */
    public static final String TERMINATION_MESSAGE_PATH_ENV = "KUBETUNE_TERMINATION_MESSAGE_PATH";

    private final String namespace;
    private final Path workDir;
    private final boolean deleteWorkDir;
    private final PodWatcher watcher;

    private TestPodRunner(Builder b) {
        this.namespace = b.namespace;
        try {
            this.deleteWorkDir = b.workDir == null && !Boolean.getBoolean("kubetune.keepPodDirs");
            this.workDir =
                    b.workDir != null
                            ? Files.createDirectories(b.workDir)
                            : Files.createTempDirectory("kubetune-pod-runner-" + namespace + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ImageRules images =
                new ImageRules(
                        b.imageEntrypoints, b.oomKilledImages, b.imagePullErrorForUnknownImages);
        PodRunnerSettings settings =
                new PodRunnerSettings(
                        b.client, namespace, workDir, images, b.inheritEnvironment, b.echoLogs);
        this.watcher = new PodWatcher(settings, b.labelSelector, Set.copyOf(b.nodes));
    }

    /** A runner for the pods of {@code namespace} on the test environment's fake nodes. */
    public static Builder builder(KubernetesClient client, String namespace) {
        return new Builder(client, namespace);
    }

    /** Configures and starts a {@link TestPodRunner}. */
    public static final class Builder {
        private final KubernetesClient client;
        private final String namespace;
        private Map<String, String> labelSelector = Map.of(MANAGED_BY_LABEL, "kubetune");
        private Collection<String> nodes;
        private final Map<String, List<String>> imageEntrypoints = new LinkedHashMap<>();
        private boolean inheritEnvironment = true;
        private boolean echoLogs = true;
        private final List<String> oomKilledImages = new ArrayList<>();
        private boolean imagePullErrorForUnknownImages;
        private Path workDir;

        private Builder(KubernetesClient client, String namespace) {
            this.client = Objects.requireNonNull(client);
            this.namespace = Objects.requireNonNull(namespace);
        }

        /**
         * Pods to run (default {@code app.kubernetes.io/managed-by=kubetune}). Pods that kwok must
         * leave alone need that label or {@value #POD_RUNNER_LABEL}.
         */
        public Builder labelSelector(Map<String, String> selector) {
            this.labelSelector = Map.copyOf(selector);
            return this;
        }

        /** Nodes whose pods are run (default: the fake nodes of {@link TestEnvironment}). */
        public Builder nodes(Collection<String> nodes) {
            this.nodes = List.copyOf(nodes);
            return this;
        }

        /**
         * The command to use for containers of {@code image} (an exact image reference, or a prefix
         * ending in {@code *}) that have no {@code command} of their own; their args follow it.
         */
        public Builder imageEntrypoint(String image, List<String> entrypoint) {
            imageEntrypoints.put(image, List.copyOf(entrypoint));
            return this;
        }

        /** Whether processes start from the test JVM's environment (default true). */
        public Builder inheritEnvironment(boolean inherit) {
            this.inheritEnvironment = inherit;
            return this;
        }

        /** Whether each finished container's log is printed to stdout (default true). */
        public Builder echoLogs(boolean echo) {
            this.echoLogs = echo;
            return this;
        }

        /**
         * Directory for the pods' root directories (default: a temporary one, deleted on close).
         */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /**
         * Containers of {@code image} (exact, or a prefix ending in {@code *}) whose process exits
         * with 137 are reported terminated with reason OOMKilled, as the kubelet reports a
         * container the kernel killed for its memory limit: a test script simulates the OOM kill
         * with {@code kill -9 $$}.
         */
        public Builder oomKilledImage(String image) {
            oomKilledImages.add(image);
            return this;
        }

        /**
         * A container with no command whose image has no registered entrypoint is reported waiting
         * with reason ErrImagePull (the pod stays Pending), as the kubelet reports an image it
         * cannot pull; default false: the pod fails with ContainerCannotRun.
         */
        public Builder imagePullErrorForUnknownImages(boolean report) {
            this.imagePullErrorForUnknownImages = report;
            return this;
        }

        public TestPodRunner start() {
            if (nodes == null) {
                nodes = TestEnvironment.get().fakeNodes();
            }
            TestPodRunner r = new TestPodRunner(this);
            r.watcher.start();
            return r;
        }
    }

    // ------------------------------------------------------------------ public test API

    /** SIGKILLs the running process of the pod (exit code 137); false if none runs. */
    public boolean kill(String podName) {
        return watcher.find(podName).map(PodRun::kill).orElse(false);
    }

    /** The combined stdout and stderr of the pod's first container so far (all restarts). */
    public String logs(String podName) {
        PodRun r = run(podName);
        return ContainerProcess.read(r.paths.logFile(r.mainContainer().getName()));
    }

    /** The directory that stands for the pod's "/" ({@value #ROOT_ENV}). */
    public Path rootDir(String podName) {
        return run(podName).paths.root();
    }

    /** Waits until the runner has started a process for the pod. */
    public void awaitStarted(String podName, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<PodRun> r = watcher.find(podName);
            if (r.isPresent() && r.get().started()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "pod " + podName + " not started within " + timeout + "; runs: " + podNames());
    }

    /** Names of the pods this runner has picked up. */
    public List<String> podNames() {
        return watcher.runs().stream().map(r -> r.name).sorted().toList();
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public void close() {
        watcher.close();
        if (deleteWorkDir) {
            deleteRecursively(workDir);
        }
    }

    private PodRun run(String podName) {
        return watcher.find(podName)
                .orElseThrow(() -> new IllegalArgumentException("pod not run: " + podName));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException ignored) {
                                    // best effort
                                }
                            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
