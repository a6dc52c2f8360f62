package io.kubetune.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The local process that stands for a pod's container: started from its {@link ContainerLaunch},
 * awaited, stopped (SIGTERM, then SIGKILL) or killed with its descendants. Once {@link #stop
 * stopped} no process starts any more.
 */
final class ContainerProcess {

    /** How a container run ended. */
    record Result(int exitCode, Instant started, Instant finished) {}

    /** Called once the process runs, before anything can stop it. */
    interface StartListener {
        void started(Instant at, String containerId);
    }

    private final String podLabel;
    private final boolean echoLogs;
    private Process process; // guarded by this
    private boolean stopped; // guarded by this

    /** {@code podLabel} is namespace/name, for the log lines. */
    ContainerProcess(String podLabel, boolean echoLogs) {
        this.podLabel = podLabel;
        this.echoLogs = echoLogs;
    }

    /**
     * Runs the container to its end; null when stopped before it started. A command that cannot
     * start ends with 127, as a container whose entrypoint is missing.
     */
    Result run(ContainerLaunch launch, boolean init, StartListener listener)
            throws IOException, InterruptedException {
        String name = launch.container().getName();
        Instant started;
        Process p;
        synchronized (this) {
            if (stopped) {
                return null;
            }
            started = Instant.now();
            try {
                p = launch.processBuilder().start();
            } catch (IOException e) {
                Files.writeString(
                        launch.logFile(),
                        "TestPodRunner: cannot start "
                                + launch.command()
                                + ": "
                                + e.getMessage()
                                + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                Files.writeString(
                        launch.terminationFile(), "cannot start process: " + e.getMessage());
                return new Result(127, started, Instant.now());
            }
            process = p;
            log(
                    (init ? "init container " : "")
                            + name
                            + " started (pid "
                            + p.pid()
                            + "): "
                            + launch.command());
            listener.started(started, containerId());
        }
        int exit = p.waitFor();
        Instant finished = Instant.now();
        log(name + " exited with " + exit);
        if (echoLogs) {
            echo(name, launch.logFile());
        }
        return new Result(exit, started, finished);
    }

    synchronized boolean started() {
        return process != null;
    }

    /** The container ID the statuses carry: the process ID. */
    synchronized String containerId() {
        return "kubetune-pod-runner://" + (process == null ? "none" : process.pid());
    }

    /**
     * No process starts any more; a running one gets SIGTERM, then SIGKILL after {@code
     * graceSeconds}. Returns whether one was running.
     */
    boolean stop(long graceSeconds) throws InterruptedException {
        Process p;
        synchronized (this) {
            stopped = true;
            p = process;
        }
        if (p == null || !kill(false)) {
            return false;
        }
        if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            kill(true);
        }
        return true;
    }

    /** No process starts any more. */
    synchronized void refuseStarts() {
        stopped = true;
    }

    /** No process starts any more, and the running one is killed at once. */
    void stopNow() {
        refuseStarts();
        kill(true);
    }

    /** Kills the running process and its descendants; true if one was running. */
    synchronized boolean kill(boolean forcibly) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return false;
        }
        p.descendants().forEach(forcibly ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        if (forcibly) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        return true;
    }

    /** The file's text, empty if there is none. */
    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void echo(String container, Path logFile) {
        StringBuilder sb = new StringBuilder();
        for (String line : read(logFile).lines().toList()) {
            sb.append("[pod ")
                    .append(podLabel)
                    .append(' ')
                    .append(container)
                    .append("] ")
                    .append(line)
                    .append('\n');
        }
        System.out.print(sb);
    }

    void log(String msg) {
        System.out.println("[TestPodRunner " + podLabel + "] " + msg);
    }
}
