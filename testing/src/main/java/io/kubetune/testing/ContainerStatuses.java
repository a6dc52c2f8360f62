package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The container statuses the kubelet reports: waiting, running and terminated. */
final class ContainerStatuses {
    /** The most of a termination message the kubelet keeps. */
    static final int MAX_MESSAGE_BYTES = 4096;

    private ContainerStatuses() {}

    static ContainerStatus waiting(Container c, String reason, String message) {
        return base(c, null, 0)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build();
    }

    /**
     * A started container; {@code lastState} is null for an init container (it is not restarted).
     */
    static ContainerStatus running(
            Container c,
            String containerId,
            Instant started,
            boolean ready,
            int restarts,
            ContainerState lastState) {
        return base(c, containerId, restarts)
                .withReady(ready)
                .withStarted(true)
                .withLastState(lastState)
                .withState(
                        new ContainerStateBuilder()
                                .withNewRunning()
                                .withStartedAt(ts(started))
                                .endRunning()
                                .build())
                .build();
    }

    /** A container that ran and ended; its last state is the run before a restart. */
    static ContainerStatus terminated(
            Container c,
            String containerId,
            int restarts,
            ContainerState lastState,
            Terminated end) {
        return base(c, containerId, restarts)
                .withLastState(lastState == null ? new ContainerState() : lastState)
                .withState(end.state(containerId))
                .build();
    }

    /** A container that ended without having run (setup error, deleted before it started). */
    static ContainerStatus unstarted(Container c, int exitCode, String reason, String message) {
        Instant now = Instant.now();
        return base(c, null, 0)
                .withState(new Terminated(exitCode, reason, message, now, now).state(null))
                .build();
    }

    /** The containers after the first, which the runner does not run. */
    static List<ContainerStatus> notRun(List<Container> all, Instant at) {
        String message = "not run: TestPodRunner runs the first container only";
        return all.subList(1, all.size()).stream()
                .map(
                        c ->
                                base(c, null, 0)
                                        .withState(
                                                new Terminated(0, "Completed", message, at, at)
                                                        .state(null))
                                        .build())
                .toList();
    }

    /** How a container ended. */
    record Terminated(
            int exitCode, String reason, String message, Instant started, Instant finished) {
        ContainerState state(String containerId) {
            return new ContainerStateBuilder()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(reason)
                    .withMessage(message == null ? null : tail(message, MAX_MESSAGE_BYTES))
                    .withStartedAt(ts(started))
                    .withFinishedAt(ts(finished))
                    .withContainerID(containerId)
                    .endTerminated()
                    .build();
        }
    }

    /** Times as the API server keeps them: whole seconds. */
    static String ts(Instant i) {
        return i.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The last {@code maxBytes} of {@code s}, as the kubelet keeps a message's end. */
    static String tail(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        return new String(b, b.length - maxBytes, maxBytes, StandardCharsets.UTF_8);
    }

    private static ContainerStatusBuilder base(Container c, String containerId, int restarts) {
        return new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(c.getImage())
                .withImageID("")
                .withContainerID(containerId)
                .withReady(false)
                .withStarted(false)
                .withRestartCount(restarts);
    }
}
