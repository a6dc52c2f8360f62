package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 */
public final class TestPodRunner implements AutoCloseable {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

    /** Pods with this label (any non-empty value) are left to the runner by kwok too. */
    public static final String POD_RUNNER_LABEL = "kubetune.io/pod-runner";

    /** Environment variable: the directory that stands for the container's "/". */
    public static final String ROOT_ENV = "KUBETUNE_POD_ROOT";

    /** Environment variable: where the process writes its termination message. */
    public static final String TERMINATION_MESSAGE_PATH_ENV = "KUBETUNE_TERMINATION_MESSAGE_PATH";

    private static final String SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static final int MAX_MESSAGE_BYTES = 4096;

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> labelSelector;
    private final Set<String> nodes;
    private final Map<String, List<String>> imageEntrypoints;
    private final boolean inheritEnvironment;
    private final boolean echoLogs;
    private final List<String> oomKilledImages;
    private final boolean imagePullErrorForUnknownImages;
    private final Path workDir;
    private final boolean deleteWorkDir;

    private final ExecutorService executor =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "test-pod-runner");
                        t.setDaemon(true);
                        return t;
                    });
    private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    private TestPodRunner(Builder b) {
        this.client = b.client;
        this.namespace = b.namespace;
        this.labelSelector = Map.copyOf(b.labelSelector);
        this.nodes = Set.copyOf(b.nodes);
        this.imageEntrypoints = Map.copyOf(b.imageEntrypoints);
        this.inheritEnvironment = b.inheritEnvironment;
        this.echoLogs = b.echoLogs;
        this.oomKilledImages = List.copyOf(b.oomKilledImages);
        this.imagePullErrorForUnknownImages = b.imagePullErrorForUnknownImages;
        try {
            this.deleteWorkDir = b.workDir == null && !Boolean.getBoolean("kubetune.keepPodDirs");
            this.workDir =
                    b.workDir != null
                            ? Files.createDirectories(b.workDir)
                            : Files.createTempDirectory("kubetune-pod-runner-" + namespace + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
            r.startInformer();
            return r;
        }
    }

    // ------------------------------------------------------------------ public test API

    /** SIGKILLs the running process of the pod (exit code 137); false if none runs. */
    public boolean kill(String podName) {
        return find(podName).map(r -> r.kill(true)).orElse(false);
    }

    /** The combined stdout and stderr of the pod's first container so far (all restarts). */
    public String logs(String podName) {
        return find(podName)
                .map(r -> readIfExists(r.logFile(r.mainContainer().getName())))
                .orElseThrow(() -> new IllegalArgumentException("pod not run: " + podName));
    }

    /** The directory that stands for the pod's "/" ({@value #ROOT_ENV}). */
    public Path rootDir(String podName) {
        return find(podName)
                .map(r -> r.root)
                .orElseThrow(() -> new IllegalArgumentException("pod not run: " + podName));
    }

    /** Waits until the runner has started a process for the pod. */
    public void awaitStarted(String podName, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<PodRun> r = find(podName);
            if (r.isPresent() && r.get().process != null) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "pod " + podName + " not started within " + timeout + "; runs: " + runs.keySet());
    }

    /** Names of the pods this runner has picked up. */
    public List<String> podNames() {
        return runs.values().stream().map(r -> r.name).sorted().toList();
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        runs.values().forEach(r -> r.kill(true));
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (deleteWorkDir) {
            deleteRecursively(workDir);
        }
    }

    // ------------------------------------------------------------------ watching

    private Optional<PodRun> find(String podName) {
        return runs.values().stream()
                .filter(r -> r.name.equals(podName))
                .max(Comparator.comparing(r -> r.created));
    }

    private void startInformer() {
        informer =
                client.pods()
                        .inNamespace(namespace)
                        .withLabels(labelSelector)
                        .inform(
                                new ResourceEventHandler<>() {
                                    @Override
                                    public void onAdd(Pod pod) {
                                        onPod(pod);
                                    }

                                    @Override
                                    public void onUpdate(Pod oldPod, Pod pod) {
                                        onPod(pod);
                                    }

                                    @Override
                                    public void onDelete(Pod pod, boolean unknownState) {
                                        PodRun r = runs.get(pod.getMetadata().getUid());
                                        if (r != null) {
                                            r.kill(true);
                                        }
                                    }
                                },
                                0);
    }

    private void onPod(Pod pod) {
        if (closed) {
            return;
        }
        String node = pod.getSpec().getNodeName();
        if (node == null || !nodes.contains(node)) {
            return;
        }
        String uid = pod.getMetadata().getUid();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            PodRun r = runs.get(uid);
            if (r != null) {
                r.requestDeletion(pod);
            } else if (!isTerminal(pod) && runs.putIfAbsent(uid, new PodRun(pod)) == null) {
                // never started by us: finish it as the kubelet would
                PodRun fresh = runs.get(uid);
                executor.submit(() -> fresh.finishDeletedUnstarted(pod));
            }
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (phase != null && !phase.equals("Pending")) {
            return; // already running or finished (e.g. by an earlier runner)
        }
        PodRun run = new PodRun(pod);
        if (runs.putIfAbsent(uid, run) == null) {
            executor.submit(run::run);
        }
    }

    private static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    // ------------------------------------------------------------------ one pod

    private final class PodRun {
        final String name;
        final String uid;
        final Instant created = Instant.now();
        final Path root;
        volatile Pod pod;
        volatile Process process;
        volatile boolean deletionRequested;
        volatile boolean killed;
        volatile Instant startTime;
        final List<ContainerStatus> initStatuses = new ArrayList<>();

        PodRun(Pod pod) {
            this.pod = pod;
            this.name = pod.getMetadata().getName();
            this.uid = pod.getMetadata().getUid();
            this.root = workDir.resolve(name + "-" + uid.substring(0, 8));
        }

        Container mainContainer() {
            return pod.getSpec().getContainers().get(0);
        }

        Path logFile(String container) {
            return root.resolve(".kubetune-logs").resolve(container + ".log");
        }

        void run() {
            try {
                Files.createDirectories(root.resolve(".kubetune-logs"));
                startTime = Instant.now();
                if (imagePullErrorForUnknownImages && cannotPull(mainContainer())) {
                    writeImagePullError(mainContainer());
                    return;
                }
                Map<String, Path> mounts = materializeVolumes();
                for (Container init : listOrEmpty(pod.getSpec().getInitContainers())) {
                    ContainerResult res = runContainer(init, mounts, 0, true);
                    if (res == null) {
                        return; // deleted or closed
                    }
                    ContainerStatus st = terminatedStatus(init, res, 0, null);
                    synchronized (initStatuses) {
                        initStatuses.add(st);
                    }
                    if (res.exitCode != 0) {
                        finish(List.of(), "Failed", "init container " + init.getName() + " failed");
                        return;
                    }
                }
                Container main = mainContainer();
                String restartPolicy =
                        Optional.ofNullable(pod.getSpec().getRestartPolicy()).orElse("Always");
                int restarts = 0;
                ContainerState lastState = null;
                while (true) {
                    ContainerResult res = runContainer(main, mounts, restarts, false);
                    if (res == null) {
                        return;
                    }
                    boolean restart =
                            !deletionRequested
                                    && !closed
                                    && (restartPolicy.equals("Always")
                                            || (restartPolicy.equals("OnFailure")
                                                    && res.exitCode != 0));
                    ContainerStatus st = terminatedStatus(main, res, restarts, lastState);
                    if (!restart) {
                        finish(List.of(st), res.exitCode == 0 ? "Succeeded" : "Failed", null);
                        return;
                    }
                    lastState = st.getState();
                    restarts++;
                    Thread.sleep(Math.min(10_000, 500L * restarts));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (PodSetupException e) {
                log("cannot run pod: " + e.getMessage());
                finishWithError(e.getMessage());
            } catch (Exception e) {
                if (!closed) {
                    log("pod runner error: " + e);
                    e.printStackTrace();
                    finishWithError("TestPodRunner error: " + e);
                }
            } finally {
                if (deletionRequested) {
                    deleteNow();
                }
            }
        }

        /** Runs one container to its end; null if the pod went away or the runner closed. */
        ContainerResult runContainer(
                Container c, Map<String, Path> mounts, int restarts, boolean init)
                throws IOException, InterruptedException, PodSetupException {
            Map<String, String> mountMap = mountPaths(c, mounts);
            String terminationPath =
                    Optional.ofNullable(c.getTerminationMessagePath())
                            .orElse("/dev/termination-log");
            Path terminationFile = hostPath(terminationPath);
            Files.createDirectories(terminationFile.getParent());
            Files.deleteIfExists(terminationFile);
            Files.createFile(terminationFile);
            Map<String, String> substitutions = new HashMap<>(mountMap);
            substitutions.put(terminationPath, terminationFile.toString());

            Map<String, String> env = environment(c, substitutions, mountMap);
            env.put(TERMINATION_MESSAGE_PATH_ENV, terminationFile.toString());
            List<String> command = command(c, env, substitutions);
            Path wd =
                    c.getWorkingDir() == null
                            ? root
                            : Path.of(substitute(c.getWorkingDir(), substitutions));
            if (c.getWorkingDir() != null && !wd.startsWith(root)) {
                wd = hostPath(c.getWorkingDir());
            }
            Files.createDirectories(wd);

            ProcessBuilder pb =
                    new ProcessBuilder(command)
                            .directory(wd.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(
                                    ProcessBuilder.Redirect.appendTo(
                                            logFile(c.getName()).toFile()));
            pb.environment().clear();
            pb.environment().putAll(env);
            synchronized (this) {
                if (deletionRequested || closed) {
                    return null;
                }
                Instant started = Instant.now();
                try {
                    process = pb.start();
                } catch (IOException e) {
                    // like a container whose entrypoint is missing
                    Files.writeString(
                            logFile(c.getName()),
                            "TestPodRunner: cannot start " + command + ": " + e.getMessage() + "\n",
                            StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                    Files.writeString(terminationFile, "cannot start process: " + e.getMessage());
                    return new ContainerResult(127, started, Instant.now(), terminationFile, c);
                }
                killed = false;
                log(
                        (init ? "init container " : "")
                                + c.getName()
                                + " started (pid "
                                + process.pid()
                                + "): "
                                + command);
                if (!init) {
                    writeRunning(c, started, restarts);
                } else {
                    writeInitRunning(c, started);
                }
                startedAt = started;
            }
            int exit = process.waitFor();
            Instant finished = Instant.now();
            if (closed) {
                return null;
            }
            log(c.getName() + " exited with " + exit);
            if (echoLogs) {
                echo(c.getName());
            }
            return new ContainerResult(exit, startedAt, finished, terminationFile, c);
        }

        volatile Instant startedAt;

        // ---------------- volumes and paths

        /** volume name -> its directory (or file for subPath mounts, resolved later). */
        Map<String, Path> materializeVolumes() throws IOException, PodSetupException {
            Map<String, Path> dirs = new HashMap<>();
            for (Volume v : listOrEmpty(pod.getSpec().getVolumes())) {
                Path dir;
                if (v.getPersistentVolumeClaim() != null) {
                    dir =
                            workDir.resolve(".pvc")
                                    .resolve(v.getPersistentVolumeClaim().getClaimName());
                    Files.createDirectories(dir);
                } else {
                    dir = root.resolve(".kubetune-volumes").resolve(v.getName());
                    Files.createDirectories(dir);
                    if (v.getConfigMap() != null) {
                        writeConfigMap(dir, v.getConfigMap());
                    } else if (v.getSecret() != null) {
                        writeSecret(dir, v.getSecret());
                    } else if (v.getProjected() != null) {
                        for (VolumeProjection p : listOrEmpty(v.getProjected().getSources())) {
                            writeProjection(dir, p);
                        }
                    } else if (v.getDownwardAPI() != null) {
                        writeDownward(dir, v.getDownwardAPI().getItems());
                    } else if (v.getEmptyDir() == null) {
                        log("volume " + v.getName() + ": unsupported type, an empty directory");
                    }
                }
                dirs.put(v.getName(), dir);
            }
            return dirs;
        }

        /** mountPath -> host path, links created under root. */
        Map<String, String> mountPaths(Container c, Map<String, Path> volumes) throws IOException {
            Map<String, String> map = new HashMap<>();
            for (VolumeMount m : listOrEmpty(c.getVolumeMounts())) {
                Path target = volumes.get(m.getName());
                if (target == null) {
                    continue;
                }
                if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                    target = target.resolve(m.getSubPath());
                    if (!Files.exists(target)) {
                        Files.createDirectories(target);
                    }
                }
                Path link = hostPath(m.getMountPath());
                Files.createDirectories(link.getParent());
                if (Files.isSymbolicLink(link)) {
                    Files.delete(link);
                }
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, target);
                }
                map.put(stripTrailingSlash(m.getMountPath()), link.toString());
            }
            return map;
        }

        Path hostPath(String containerPath) {
            String rel = containerPath.replaceAll("^/+", "");
            Path p = root.resolve(rel).normalize();
            if (!p.startsWith(root)) {
                throw new IllegalArgumentException("path escapes the pod root: " + containerPath);
            }
            return p;
        }

        void writeConfigMap(Path dir, ConfigMapVolumeSource src)
                throws IOException, PodSetupException {
            Map<String, byte[]> data =
                    configMapData(src.getName(), Boolean.TRUE.equals(src.getOptional()));
            writeItems(dir, data, src.getItems());
        }

        void writeSecret(Path dir, SecretVolumeSource src) throws IOException, PodSetupException {
            Map<String, byte[]> data =
                    secretData(src.getSecretName(), Boolean.TRUE.equals(src.getOptional()));
            writeItems(dir, data, src.getItems());
        }

        void writeProjection(Path dir, VolumeProjection p) throws IOException, PodSetupException {
            if (p.getConfigMap() != null) {
                ConfigMapProjection cm = p.getConfigMap();
                writeItems(
                        dir,
                        configMapData(cm.getName(), Boolean.TRUE.equals(cm.getOptional())),
                        cm.getItems());
            } else if (p.getSecret() != null) {
                SecretProjection s = p.getSecret();
                writeItems(
                        dir,
                        secretData(s.getName(), Boolean.TRUE.equals(s.getOptional())),
                        s.getItems());
            } else if (p.getDownwardAPI() != null) {
                writeDownward(dir, p.getDownwardAPI().getItems());
            } else if (p.getServiceAccountToken() != null) {
                ServiceAccountTokenProjection t = p.getServiceAccountToken();
                write(dir.resolve(t.getPath()), serviceAccountToken(t).getBytes(UTF8));
            }
        }

        String serviceAccountToken(ServiceAccountTokenProjection t) {
            String sa =
                    Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
            TokenRequest req =
                    new TokenRequestBuilder()
                            .withNewSpec()
                            .withAudiences(
                                    t.getAudience() == null || t.getAudience().isEmpty()
                                            ? List.of()
                                            : List.of(t.getAudience()))
                            .withExpirationSeconds(
                                    Optional.ofNullable(t.getExpirationSeconds()).orElse(3607L))
                            .withNewBoundObjectRef()
                            .withApiVersion("v1")
                            .withKind("Pod")
                            .withName(name)
                            .withUid(uid)
                            .endBoundObjectRef()
                            .endSpec()
                            .build();
            return client.serviceAccounts()
                    .inNamespace(namespace)
                    .withName(sa)
                    .tokenRequest(req)
                    .getStatus()
                    .getToken();
        }

        void writeDownward(Path dir, List<DownwardAPIVolumeFile> items) throws IOException {
            for (DownwardAPIVolumeFile f : listOrEmpty(items)) {
                String value =
                        f.getFieldRef() != null
                                ? fieldValue(f.getFieldRef())
                                : resourceValue(mainContainer(), f.getResourceFieldRef());
                write(dir.resolve(f.getPath()), value.getBytes(UTF8));
            }
        }

        void writeItems(Path dir, Map<String, byte[]> data, List<KeyToPath> items)
                throws IOException, PodSetupException {
            if (items == null || items.isEmpty()) {
                for (Map.Entry<String, byte[]> e : data.entrySet()) {
                    write(dir.resolve(e.getKey()), e.getValue());
                }
                return;
            }
            for (KeyToPath item : items) {
                byte[] v = data.get(item.getKey());
                if (v == null) {
                    if (!data.isEmpty()) {
                        throw new PodSetupException("key " + item.getKey() + " not found");
                    }
                    continue;
                }
                write(dir.resolve(item.getPath()), v);
            }
        }

        void write(Path file, byte[] content) throws IOException {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }

        // ---------------- env and command

        Map<String, String> environment(
                Container c, Map<String, String> substitutions, Map<String, String> mountMap)
                throws PodSetupException {
            Map<String, String> env = new LinkedHashMap<>();
            if (inheritEnvironment) {
                env.putAll(System.getenv());
                env.remove("KUBECONFIG");
            }
            URI api = URI.create(client.getConfiguration().getMasterUrl());
            env.put("HOSTNAME", name);
            env.put("KUBERNETES_SERVICE_HOST", api.getHost());
            env.put("KUBERNETES_SERVICE_PORT", String.valueOf(api.getPort()));
            env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(api.getPort()));
            env.put(ROOT_ENV, root.toString());
            String sa = mountMap.get(SA_MOUNT);
            if (sa != null) {
                env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", sa + "/token");
                env.put("KUBERNETES_CERTS_CA_FILE", sa + "/ca.crt");
                env.put("KUBERNETES_NAMESPACE", namespace);
            }
            Map<String, String> containerEnv = new LinkedHashMap<>();
            for (EnvFromSource from : listOrEmpty(c.getEnvFrom())) {
                String prefix = Optional.ofNullable(from.getPrefix()).orElse("");
                Map<String, byte[]> data;
                if (from.getConfigMapRef() != null) {
                    data =
                            configMapData(
                                    from.getConfigMapRef().getName(),
                                    Boolean.TRUE.equals(from.getConfigMapRef().getOptional()));
                } else if (from.getSecretRef() != null) {
                    data =
                            secretData(
                                    from.getSecretRef().getName(),
                                    Boolean.TRUE.equals(from.getSecretRef().getOptional()));
                } else {
                    continue;
                }
                data.forEach((k, v) -> containerEnv.put(prefix + k, new String(v, UTF8)));
            }
            for (EnvVar e : listOrEmpty(c.getEnv())) {
                String value;
                if (e.getValueFrom() != null) {
                    value = resolve(c, e.getValueFrom());
                    if (value == null) {
                        continue; // optional and missing
                    }
                } else {
                    value = expand(Optional.ofNullable(e.getValue()).orElse(""), containerEnv);
                }
                containerEnv.put(e.getName(), value);
            }
            containerEnv.replaceAll((k, v) -> substitute(v, substitutions));
            env.putAll(containerEnv);
            return env;
        }

        String resolve(Container c, EnvVarSource src) throws PodSetupException {
            if (src.getConfigMapKeyRef() != null) {
                var ref = src.getConfigMapKeyRef();
                boolean optional = Boolean.TRUE.equals(ref.getOptional());
                byte[] v = configMapData(ref.getName(), optional).get(ref.getKey());
                if (v == null && !optional) {
                    throw new PodSetupException(
                            "configmap " + ref.getName() + " has no key " + ref.getKey());
                }
                return v == null ? null : new String(v, UTF8);
            }
            if (src.getSecretKeyRef() != null) {
                var ref = src.getSecretKeyRef();
                boolean optional = Boolean.TRUE.equals(ref.getOptional());
                byte[] v = secretData(ref.getName(), optional).get(ref.getKey());
                if (v == null && !optional) {
                    throw new PodSetupException(
                            "secret " + ref.getName() + " has no key " + ref.getKey());
                }
                return v == null ? null : new String(v, UTF8);
            }
            if (src.getFieldRef() != null) {
                return fieldValue(src.getFieldRef());
            }
            if (src.getResourceFieldRef() != null) {
                return resourceValue(c, src.getResourceFieldRef());
            }
            return null;
        }

        String fieldValue(ObjectFieldSelector ref) {
            String path = ref.getFieldPath();
            var meta = pod.getMetadata();
            Matcher m =
                    Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]").matcher(path);
            if (m.matches()) {
                Map<String, String> map =
                        m.group(1).equals("labels") ? meta.getLabels() : meta.getAnnotations();
                return map == null ? "" : map.getOrDefault(m.group(2), "");
            }
            return switch (path) {
                case "metadata.name" -> name;
                case "metadata.namespace" -> namespace;
                case "metadata.uid" -> uid;
                case "metadata.labels" -> formatMap(meta.getLabels());
                case "metadata.annotations" -> formatMap(meta.getAnnotations());
                case "spec.nodeName" -> pod.getSpec().getNodeName();
                case "spec.serviceAccountName" ->
                        Optional.ofNullable(pod.getSpec().getServiceAccountName())
                                .orElse("default");
                case "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs" ->
                        "127.0.0.1";
                default -> "";
            };
        }

        String resourceValue(Container c, ResourceFieldSelector ref) {
            String res = ref.getResource();
            String kind = res.substring(0, res.indexOf('.'));
            String resource = res.substring(res.indexOf('.') + 1);
            var reqs = c.getResources();
            Map<String, Quantity> map =
                    reqs == null
                            ? null
                            : kind.equals("limits") ? reqs.getLimits() : reqs.getRequests();
            Quantity q = map == null ? null : map.get(resource);
            if (q == null) {
                // the kubelet reports node allocatable for unset limits; the fake nodes have 32
                // CPUs
                q = Quantity.parse(resource.equals("cpu") ? "32" : "256Gi");
            }
            BigDecimal value = q.getNumericalAmount();
            BigDecimal divisor =
                    ref.getDivisor() == null
                            ? BigDecimal.ONE
                            : ref.getDivisor().getNumericalAmount();
            return value.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
        }

        List<String> command(
                Container c, Map<String, String> env, Map<String, String> substitutions)
                throws PodSetupException {
            List<String> cmd = new ArrayList<>();
            List<String> entrypoint = List.of();
            if (c.getCommand() != null && !c.getCommand().isEmpty()) {
                cmd.addAll(c.getCommand());
            } else {
                List<String> entry = entrypointFor(c.getImage());
                if (entry == null) {
                    throw new PodSetupException(
                            "container "
                                    + c.getName()
                                    + " has no command and no entrypoint is registered for image "
                                    + c.getImage()
                                    + " (TestPodRunner.Builder.imageEntrypoint)");
                }
                entrypoint = entry;
            }
            cmd.addAll(listOrEmpty(c.getArgs()));
            cmd.replaceAll(s -> substitute(expand(s, env), substitutions));
            // A registered entrypoint stands for the image and names host paths already: a mount
            // path such as /tmp must not be substituted inside, e.g., /tmp/checkout/trainer.jar.
            List<String> full = new ArrayList<>(entrypoint);
            full.addAll(cmd);
            return full;
        }

        List<String> entrypointFor(String image) {
            if (image == null) {
                return null;
            }
            List<String> exact = imageEntrypoints.get(image);
            if (exact != null) {
                return exact;
            }
            return imageEntrypoints.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("*"))
                    .filter(e -> image.startsWith(e.getKey().substring(0, e.getKey().length() - 1)))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
        }

        // ---------------- status

        boolean cannotPull(Container c) {
            return (c.getCommand() == null || c.getCommand().isEmpty())
                    && entrypointFor(c.getImage()) == null;
        }

        void writeImagePullError(Container main) {
            log("image " + main.getImage() + " has no registered entrypoint: ErrImagePull");
            updateStatus(
                    s -> {
                        s.setPhase("Pending");
                        setCondition(s, "PodReadyToStartContainers", "True", null);
                        setCondition(s, "Initialized", "True", null);
                        setCondition(s, "ContainersReady", "False", "ContainersNotReady");
                        setCondition(s, "Ready", "False", "ContainersNotReady");
                        s.setContainerStatuses(
                                List.of(
                                        new ContainerStatusBuilder()
                                                .withName(main.getName())
                                                .withImage(main.getImage())
                                                .withImageID("")
                                                .withReady(false)
                                                .withStarted(false)
                                                .withRestartCount(0)
                                                .withNewState()
                                                .withNewWaiting()
                                                .withReason("ErrImagePull")
                                                .withMessage(
                                                        "failed to pull image \""
                                                                + main.getImage()
                                                                + "\": not found (TestPodRunner:"
                                                                + " no registered entrypoint)")
                                                .endWaiting()
                                                .endState()
                                                .build()));
                        return s;
                    });
        }

        void writeRunning(Container main, Instant started, int restarts) {
            updateStatus(
                    s -> {
                        s.setPhase("Running");
                        s.setStartTime(ts(startTime));
                        s.setHostIP("127.0.0.1");
                        s.setHostIPs(List.of(new HostIPBuilder().withIp("127.0.0.1").build()));
                        s.setPodIP("127.0.0.1");
                        s.setPodIPs(List.of(new PodIPBuilder().withIp("127.0.0.1").build()));
                        setCondition(s, "PodReadyToStartContainers", "True", null);
                        setCondition(s, "Initialized", "True", null);
                        setCondition(s, "ContainersReady", "True", null);
                        setCondition(s, "Ready", "True", null);
                        synchronized (initStatuses) {
                            s.setInitContainerStatuses(
                                    initStatuses.isEmpty() ? null : new ArrayList<>(initStatuses));
                        }
                        List<ContainerStatus> cs = new ArrayList<>();
                        ContainerStatus previous = findStatus(s, main.getName());
                        cs.add(
                                new ContainerStatusBuilder()
                                        .withName(main.getName())
                                        .withImage(main.getImage())
                                        .withImageID("")
                                        .withContainerID(containerId())
                                        .withReady(true)
                                        .withStarted(true)
                                        .withRestartCount(restarts)
                                        .withLastState(
                                                previous == null || restarts == 0
                                                        ? new ContainerState()
                                                        : previous.getState())
                                        .withState(
                                                new ContainerStateBuilder()
                                                        .withNewRunning()
                                                        .withStartedAt(ts(started))
                                                        .endRunning()
                                                        .build())
                                        .build());
                        cs.addAll(notRunContainers(ts(started)));
                        s.setContainerStatuses(cs);
                        return s;
                    });
        }

        void writeInitRunning(Container init, Instant started) {
            updateStatus(
                    s -> {
                        s.setStartTime(ts(startTime));
                        s.setHostIP("127.0.0.1");
                        List<ContainerStatus> is;
                        synchronized (initStatuses) {
                            is = new ArrayList<>(initStatuses);
                        }
                        is.add(
                                new ContainerStatusBuilder()
                                        .withName(init.getName())
                                        .withImage(init.getImage())
                                        .withImageID("")
                                        .withContainerID(containerId())
                                        .withReady(false)
                                        .withStarted(true)
                                        .withRestartCount(0)
                                        .withState(
                                                new ContainerStateBuilder()
                                                        .withNewRunning()
                                                        .withStartedAt(ts(started))
                                                        .endRunning()
                                                        .build())
                                        .build());
                        s.setInitContainerStatuses(is);
                        return s;
                    });
        }

        String containerId() {
            Process p = process;
            return "kubetune-pod-runner://" + (p == null ? "none" : p.pid());
        }

        List<ContainerStatus> notRunContainers(String at) {
            List<ContainerStatus> out = new ArrayList<>();
            List<Container> all = pod.getSpec().getContainers();
            for (Container other : all.subList(1, all.size())) {
                out.add(
                        new ContainerStatusBuilder()
                                .withName(other.getName())
                                .withImage(other.getImage())
                                .withImageID("")
                                .withReady(false)
                                .withStarted(false)
                                .withRestartCount(0)
                                .withState(
                                        new ContainerStateBuilder()
                                                .withNewTerminated()
                                                .withExitCode(0)
                                                .withReason("Completed")
                                                .withMessage(
                                                        "not run: TestPodRunner runs the first"
                                                                + " container only")
                                                .withStartedAt(at)
                                                .withFinishedAt(at)
                                                .endTerminated()
                                                .build())
                                .build());
            }
            return out;
        }

        ContainerStatus terminatedStatus(
                Container c, ContainerResult res, int restarts, ContainerState lastState) {
            return new ContainerStatusBuilder()
                    .withName(c.getName())
                    .withImage(c.getImage())
                    .withImageID("")
                    .withContainerID(containerId())
                    .withReady(false)
                    .withStarted(false)
                    .withRestartCount(restarts)
                    .withLastState(lastState == null ? new ContainerState() : lastState)
                    .withState(
                            new ContainerStateBuilder()
                                    .withNewTerminated()
                                    .withExitCode(res.exitCode)
                                    .withReason(terminatedReason(c, res.exitCode))
                                    .withMessage(terminationMessage(c, res))
                                    .withStartedAt(ts(res.started))
                                    .withFinishedAt(ts(res.finished))
                                    .withContainerID(containerId())
                                    .endTerminated()
                                    .build())
                    .build();
        }

        String terminatedReason(Container c, int exitCode) {
            if (exitCode == 0) {
                return "Completed";
            }
            boolean oom =
                    exitCode == 137
                            && oomKilledImages.stream()
                                    .anyMatch(
                                            i ->
                                                    i.endsWith("*")
                                                            ? c.getImage() != null
                                                                    && c.getImage()
                                                                            .startsWith(
                                                                                    i.substring(
                                                                                            0,
                                                                                            i
                                                                                                            .length()
                                                                                                    - 1))
                                                            : i.equals(c.getImage()));
            return oom ? "OOMKilled" : "Error";
        }

        String terminationMessage(Container c, ContainerResult res) {
            String msg = tail(readIfExists(res.terminationFile), MAX_MESSAGE_BYTES);
            if (msg.isEmpty()
                    && res.exitCode != 0
                    && "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy())) {
                String log = readIfExists(logFile(c.getName()));
                List<String> lines = log.lines().toList();
                msg =
                        tail(
                                String.join(
                                        "\n",
                                        lines.subList(
                                                Math.max(0, lines.size() - 80), lines.size())),
                                2048);
            }
            return msg.isEmpty() ? null : msg;
        }

        void finish(List<ContainerStatus> mainStatuses, String phase, String message) {
            Instant now = Instant.now();
            updateStatus(
                    s -> {
                        s.setPhase(phase);
                        if (s.getStartTime() == null) {
                            s.setStartTime(ts(startTime == null ? now : startTime));
                        }
                        s.setMessage(message);
                        setCondition(s, "PodReadyToStartContainers", "False", null);
                        setCondition(s, "ContainersReady", "False", "PodCompleted");
                        setCondition(s, "Ready", "False", "PodCompleted");
                        if (findCondition(s, "Initialized") == null) {
                            setCondition(s, "Initialized", "True", null);
                        }
                        synchronized (initStatuses) {
                            if (!initStatuses.isEmpty()) {
                                s.setInitContainerStatuses(new ArrayList<>(initStatuses));
                            }
                        }
                        List<ContainerStatus> cs = new ArrayList<>(mainStatuses);
                        if (cs.isEmpty()) {
                            // the main container never ran (init container failed, setup error)
                            Container main = mainContainer();
                            cs.add(
                                    new ContainerStatusBuilder()
                                            .withName(main.getName())
                                            .withImage(main.getImage())
                                            .withImageID("")
                                            .withReady(false)
                                            .withStarted(false)
                                            .withRestartCount(0)
                                            .withNewState()
                                            .withNewWaiting()
                                            .withReason("PodInitializing")
                                            .endWaiting()
                                            .endState()
                                            .build());
                        }
                        cs.addAll(notRunContainers(ts(now)));
                        s.setContainerStatuses(cs);
                        return s;
                    });
        }

        void finishWithError(String message) {
            finish(
                    List.of(unstartedTerminated(128, "ContainerCannotRun", message)),
                    "Failed",
                    message);
        }

        /** The main container, terminated without having run. */
        ContainerStatus unstartedTerminated(int exitCode, String reason, String message) {
            Container main = mainContainer();
            Instant now = Instant.now();
            return new ContainerStatusBuilder()
                    .withName(main.getName())
                    .withImage(main.getImage())
                    .withImageID("")
                    .withReady(false)
                    .withStarted(false)
                    .withRestartCount(0)
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(reason)
                    .withMessage(tail(message, MAX_MESSAGE_BYTES))
                    .withStartedAt(ts(now))
                    .withFinishedAt(ts(now))
                    .endTerminated()
                    .endState()
                    .build();
        }

        void updateStatus(UnaryOperator<PodStatus> change) {
            for (int attempt = 0; attempt < 20; attempt++) {
                Pod current = client.pods().inNamespace(namespace).withName(name).get();
                if (current == null || !uid.equals(current.getMetadata().getUid())) {
                    return;
                }
                if (isTerminal(current)) {
                    return; // a terminal phase is final
                }
                PodStatus st = current.getStatus() == null ? new PodStatus() : current.getStatus();
                current.setStatus(change.apply(st));
                try {
                    pod = client.pods().inNamespace(namespace).resource(current).updateStatus();
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 404) {
                        return;
                    }
                    if (e.getCode() != 409) {
                        throw e;
                    }
                }
            }
            throw new IllegalStateException("could not update the status of pod " + name);
        }

        // ---------------- stop and delete

        /** Kills the process (and its descendants); true if one was running. */
        synchronized boolean kill(boolean forcibly) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return false;
            }
            killed = true;
            p.descendants()
                    .forEach(forcibly ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
            if (forcibly) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
            return true;
        }

        void requestDeletion(Pod deleted) {
            if (deletionRequested) {
                return;
            }
            synchronized (this) {
                deletionRequested = true;
            }
            executor.submit(
                    () -> {
                        long grace =
                                Math.min(
                                        10,
                                        Optional.ofNullable(
                                                        deleted.getMetadata()
                                                                .getDeletionGracePeriodSeconds())
                                                .orElse(30L));
                        Process p = process;
                        if (p != null && p.isAlive()) {
                            kill(false);
                            try {
                                if (!p.waitFor(grace, TimeUnit.SECONDS)) {
                                    kill(true);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            // run() writes the terminal status and deletes the pod
                        } else {
                            // not started yet (run() will not start it) or already finished
                            deleteNow();
                        }
                    });
        }

        void finishDeletedUnstarted(Pod deleted) {
            deletionRequested = true;
            try {
                String message = "deleted before it started";
                finish(
                        List.of(unstartedTerminated(137, "ContainerStatusUnknown", message)),
                        "Failed",
                        message);
            } finally {
                deleteNow();
            }
        }

        void deleteNow() {
            try {
                client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    log("could not delete pod: " + e.getMessage());
                }
            }
        }

        void echo(String container) {
            String out = readIfExists(logFile(container));
            StringBuilder sb = new StringBuilder();
            for (String line : out.lines().toList()) {
                sb.append("[pod ")
                        .append(namespace)
                        .append('/')
                        .append(name)
                        .append(' ')
                        .append(container)
                        .append("] ")
                        .append(line)
                        .append('\n');
            }
            System.out.print(sb);
        }

        void log(String msg) {
            System.out.println("[TestPodRunner " + namespace + "/" + name + "] " + msg);
        }
    }

    private record ContainerResult(
            int exitCode, Instant started, Instant finished, Path terminationFile, Container c) {}

    private static final class PodSetupException extends Exception {
        PodSetupException(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, byte[]> configMapData(String cmName, boolean optional)
            throws PodSetupException {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(cmName).get();
        if (cm == null) {
            if (optional) {
                return Map.of();
            }
            throw new PodSetupException("configmap " + namespace + "/" + cmName + " not found");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, v) -> data.put(k, v.getBytes(UTF8)));
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        return data;
    }

    private Map<String, byte[]> secretData(String secretName, boolean optional)
            throws PodSetupException {
        Secret s = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (s == null) {
            if (optional) {
                return Map.of();
            }
            throw new PodSetupException("secret " + namespace + "/" + secretName + " not found");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> data.put(k, v.getBytes(UTF8)));
        }
        return data;
    }

    private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
    private static final Pattern VAR_REF =
            Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");

    /**
     * Kubernetes {@code $(VAR)} expansion: defined variables are replaced, {@code $$} is {@code $}.
     */
    static String expand(String s, Map<String, String> env) {
        Matcher m = VAR_REF.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String rep;
            if (m.group(1) == null) {
                rep = "$";
            } else {
                rep = env.getOrDefault(m.group(1), m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(rep));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Replaces container paths (keys) by host paths (values) where they occur as paths: not
     * preceded by a letter, digit, '_', '.', '/' or '-', and followed by '/' or anything but a
     * letter, digit, '_', '.' or '-' (so {@code /data} matches in {@code --dir=/data/x} and {@code
     * cat /data;} but not in {@code /data2} or {@code s3://b/data}).
     */
    static String substitute(String s, Map<String, String> paths) {
        if (s == null || paths.isEmpty()) {
            return s;
        }
        List<String> keys = new ArrayList<>(paths.keySet());
        keys.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder alt = new StringBuilder();
        for (String k : keys) {
            if (alt.length() > 0) {
                alt.append('|');
            }
            alt.append(Pattern.quote(k));
        }
        // a mount path is replaced where it stands as a whole path (or the start of one): not
        // preceded by a path character, and followed by '/' or a non-path character
        Pattern p = Pattern.compile("(?<![\\w./-])(" + alt + ")(?![\\w.-])");
        Matcher m = p.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(paths.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripTrailingSlash(String p) {
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static void setCondition(PodStatus s, String type, String status, String reason) {
        List<PodCondition> conds =
                s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions());
        PodCondition existing = findCondition(s, type);
        if (existing != null
                && status.equals(existing.getStatus())
                && Objects.equals(reason, existing.getReason())) {
            return;
        }
        conds.removeIf(c -> type.equals(c.getType()));
        conds.add(
                new PodConditionBuilder()
                        .withType(type)
                        .withStatus(status)
                        .withReason(reason)
                        .withLastTransitionTime(ts(Instant.now()))
                        .build());
        s.setConditions(conds);
    }

    private static PodCondition findCondition(PodStatus s, String type) {
        return s.getConditions() == null
                ? null
                : s.getConditions().stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst()
                        .orElse(null);
    }

    private static ContainerStatus findStatus(PodStatus s, String container) {
        return s.getContainerStatuses() == null
                ? null
                : s.getContainerStatuses().stream()
                        .filter(c -> container.equals(c.getName()))
                        .findFirst()
                        .orElse(null);
    }

    private static String ts(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String formatMap(Map<String, String> map) {
        if (map == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(map)
                .forEach(
                        (k, v) ->
                                sb.append(k)
                                        .append("=\"")
                                        .append(v.replace("\"", "\\\""))
                                        .append("\"\n"));
        return sb.toString().stripTrailing();
    }

    private static String readIfExists(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        return new String(b, b.length - maxBytes, maxBytes, StandardCharsets.UTF_8);
    }

    private static <T> List<T> listOrEmpty(List<T> l) {
        return l == null ? List.of() : l;
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
