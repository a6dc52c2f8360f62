package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * One pod, from Pending to its end, as the kubelet runs it: volumes, init containers in order, the
 * main container restarted by the restart policy, its status written at each step; deleting the pod
 * stops the process and removes the pod.
 */
final class PodRun {
    private static final int LOG_TAIL_LINES = 80;
    private static final int LOG_TAIL_BYTES = 2048;

    final String name;
    final String uid;
    final Instant created = Instant.now();
    final PodPaths paths;
    private final Pod pod;
    private final PodRunnerSettings settings;
    private final BooleanSupplier runnerClosed;
    private final ExecutorService executor;
    private final PodStatusWriter status;
    private final ContainerProcess process;
    private volatile boolean deletionRequested;

    PodRun(
            Pod pod,
            PodRunnerSettings settings,
            ExecutorService executor,
            BooleanSupplier runnerClosed) {
        this.pod = pod;
        this.name = pod.getMetadata().getName();
        this.uid = pod.getMetadata().getUid();
        this.settings = settings;
        this.executor = executor;
        this.runnerClosed = runnerClosed;
        this.paths = new PodPaths(settings.workDir().resolve(name + "-" + uid.substring(0, 8)));
        this.status = new PodStatusWriter(settings.client(), pod);
        this.process = new ContainerProcess(settings.namespace() + "/" + name, settings.echoLogs());
    }

    Container mainContainer() {
        return pod.getSpec().getContainers().get(0);
    }

    boolean started() {
        return process.started();
    }

    /** SIGKILLs the running process (exit 137); false if none runs. */
    boolean kill() {
        return process.kill(true);
    }

    /** The runner closes: nothing more starts, the process is killed. */
    void close() {
        process.stopNow();
    }

    void run() {
        try {
            Files.createDirectories(paths.logDir());
            status.started();
            Container main = mainContainer();
            if (settings.images().cannotPull(main)) {
                log("image " + main.getImage() + " has no registered entrypoint: ErrImagePull");
                status.imagePullError(
                        "failed to pull image \""
                                + main.getImage()
                                + "\": not found (TestPodRunner: no registered entrypoint)");
                return;
            }
            ReferencedData data = new ReferencedData(settings.client(), settings.namespace());
            Map<String, Path> volumes =
                    new PodVolumes(
                                    settings.client(),
                                    data,
                                    settings.workDir().resolve(".pvc"),
                                    paths,
                                    pod,
                                    this::log)
                            .materialize();
            URI api = URI.create(settings.client().getConfiguration().getMasterUrl());
            ContainerEnvironment env =
                    new ContainerEnvironment(api, data, pod, settings.inheritEnvironment());
            if (runInitContainers(volumes, env)) {
                runMainContainer(volumes, env);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PodSetupException e) {
            log("cannot run pod: " + e.getMessage());
            status.failUnstarted(128, "ContainerCannotRun", e.getMessage());
        } catch (Exception e) {
            if (!runnerClosed.getAsBoolean()) {
                log("pod runner error: " + e);
                e.printStackTrace();
                String message = "TestPodRunner error: " + e;
                status.failUnstarted(128, "ContainerCannotRun", message);
            }
        } finally {
            if (deletionRequested) {
                deleteNow();
            }
        }
    }

    /** True when all init containers succeeded; else the pod has failed or gone. */
    private boolean runInitContainers(Map<String, Path> volumes, ContainerEnvironment env)
            throws IOException, InterruptedException, PodSetupException {
        for (Container init :
                Objects.requireNonNullElse(
                        pod.getSpec().getInitContainers(), List.<Container>of())) {
            ContainerLaunch launch =
                    ContainerLaunch.prepare(init, paths, volumes, env, settings.images());
            ContainerProcess.Result res =
                    process.run(launch, true, (at, id) -> status.initRunning(init, at, id));
            if (res == null || runnerClosed.getAsBoolean()) {
                return false; // deleted or closed
            }
            status.initEnded(terminated(launch, res, 0, null));
            if (res.exitCode() != 0) {
                status.finish(List.of(), "Failed", "init container " + init.getName() + " failed");
                return false;
            }
        }
        return true;
    }

    /** Runs the main container, again as its restart policy says, and writes its end. */
    private void runMainContainer(Map<String, Path> volumes, ContainerEnvironment env)
            throws IOException, InterruptedException, PodSetupException {
        Container main = mainContainer();
        String restartPolicy =
                Optional.ofNullable(pod.getSpec().getRestartPolicy()).orElse("Always");
        int restarts = 0;
        ContainerState lastState = null;
        while (true) {
            ContainerLaunch launch =
                    ContainerLaunch.prepare(main, paths, volumes, env, settings.images());
            int restartCount = restarts;
            ContainerProcess.Result res =
                    process.run(launch, false, (at, id) -> status.running(at, restartCount, id));
            if (res == null || runnerClosed.getAsBoolean()) {
                return;
            }
            boolean restart =
                    !deletionRequested
                            && (restartPolicy.equals("Always")
                                    || (restartPolicy.equals("OnFailure") && res.exitCode() != 0));
            ContainerStatus st = terminated(launch, res, restarts, lastState);
            if (!restart) {
                status.finish(List.of(st), res.exitCode() == 0 ? "Succeeded" : "Failed", null);
                return;
            }
            lastState = st.getState();
            restarts++;
            Thread.sleep(Math.min(10_000, 500L * restarts));
        }
    }

    private ContainerStatus terminated(
            ContainerLaunch launch,
            ContainerProcess.Result res,
            int restarts,
            ContainerState lastState) {
        Container c = launch.container();
        return ContainerStatuses.terminated(
                c,
                process.containerId(),
                restarts,
                lastState,
                new ContainerStatuses.Terminated(
                        res.exitCode(),
                        settings.images().terminatedReason(c, res.exitCode()),
                        terminationMessage(launch, res.exitCode()),
                        res.started(),
                        res.finished()));
    }

    /** The termination message file, or with FallbackToLogsOnError the log's tail on failure. */
    private String terminationMessage(ContainerLaunch launch, int exitCode) {
        String msg =
                ContainerStatuses.tail(
                        ContainerProcess.read(launch.terminationFile()),
                        ContainerStatuses.MAX_MESSAGE_BYTES);
        if (msg.isEmpty()
                && exitCode != 0
                && "FallbackToLogsOnError"
                        .equals(launch.container().getTerminationMessagePolicy())) {
            List<String> lines = ContainerProcess.read(launch.logFile()).lines().toList();
            String tail =
                    String.join(
                            "\n",
                            lines.subList(
                                    Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
            msg = ContainerStatuses.tail(tail, LOG_TAIL_BYTES);
        }
        return msg.isEmpty() ? null : msg;
    }

    // ---------------- deletion

    /**
     * The pod is being deleted: the process gets SIGTERM and, after the grace period (at most 10
     * s), SIGKILL; {@link #run} then writes the terminal status and removes the pod.
     */
    void requestDeletion(Pod deleted) {
        if (deletionRequested) {
            return;
        }
        deletionRequested = true;
        process.refuseStarts();
        long grace =
                Math.min(
                        10,
                        Optional.ofNullable(deleted.getMetadata().getDeletionGracePeriodSeconds())
                                .orElse(30L));
        executor.submit(
                () -> {
                    try {
                        if (!process.stop(grace)) {
                            // not started (run() will not start it) or already finished
                            deleteNow();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
    }

    /** A pod deleted before the runner took it: finished as the kubelet would, then removed. */
    void finishDeletedUnstarted() {
        deletionRequested = true;
        try {
            status.failUnstarted(137, "ContainerStatusUnknown", "deleted before it started");
        } finally {
            deleteNow();
        }
    }

    private void deleteNow() {
        try {
            settings.client()
                    .pods()
                    .inNamespace(settings.namespace())
                    .withName(name)
                    .withGracePeriod(0)
                    .delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                log("could not delete pod: " + e.getMessage());
            }
        }
    }

    private void log(String msg) {
        process.log(msg);
    }
}
