package io.kubetune.testing;

import static io.kubetune.testing.ContainerStatuses.ts;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIPBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Writes one pod's status to the API server as the kubelet does: phase, conditions, init and
 * container statuses. A terminal phase is final; a pod that is gone (or replaced by one of the same
 * name) is left alone.
 */
final class PodStatusWriter {
    private final KubernetesClient client;
    private final Pod pod;
    private final List<ContainerStatus> initStatuses = new ArrayList<>();
    private volatile Instant startTime;

    PodStatusWriter(KubernetesClient client, Pod pod) {
        this.client = client;
        this.pod = pod;
    }

    /** The kubelet has taken the pod: its startTime. */
    void started() {
        startTime = Instant.now();
    }

    /** An init container has ended; it is reported from now on. */
    void initEnded(ContainerStatus status) {
        synchronized (initStatuses) {
            initStatuses.add(status);
        }
    }

    /** Pending: the main container's image cannot be pulled. */
    void imagePullError(String message) {
        Container main = main();
        update(
                s -> {
                    s.setPhase("Pending");
                    setCondition(s, "PodReadyToStartContainers", "True", null);
                    setCondition(s, "Initialized", "True", null);
                    setCondition(s, "ContainersReady", "False", "ContainersNotReady");
                    setCondition(s, "Ready", "False", "ContainersNotReady");
                    s.setContainerStatuses(
                            List.of(ContainerStatuses.waiting(main, "ErrImagePull", message)));
                    return s;
                });
    }

    /** An init container has started (the pod stays Pending). */
    void initRunning(Container init, Instant started, String containerId) {
        update(
                s -> {
                    s.setStartTime(ts(startTime));
                    s.setHostIP("127.0.0.1");
                    List<ContainerStatus> is = initStatuses();
                    is.add(ContainerStatuses.running(init, containerId, started, false, 0, null));
                    s.setInitContainerStatuses(is);
                    return s;
                });
    }

    /** Running and Ready: the main container has (re)started. */
    void running(Instant started, int restarts, String containerId) {
        Container main = main();
        update(
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
                    List<ContainerStatus> is = initStatuses();
                    s.setInitContainerStatuses(is.isEmpty() ? null : is);
                    ContainerStatus previous = findStatus(s, main.getName());
                    ContainerState last =
                            previous == null || restarts == 0
                                    ? new ContainerState()
                                    : previous.getState();
                    List<ContainerStatus> cs = new ArrayList<>();
                    cs.add(
                            ContainerStatuses.running(
                                    main, containerId, started, true, restarts, last));
                    cs.addAll(ContainerStatuses.notRun(pod.getSpec().getContainers(), started));
                    s.setContainerStatuses(cs);
                    return s;
                });
    }

    /** Failed with the main container terminated without having run. */
    void failUnstarted(int exitCode, String reason, String message) {
        finish(
                List.of(ContainerStatuses.unstarted(main(), exitCode, reason, message)),
                "Failed",
                message);
    }

    /**
     * The terminal phase; {@code mainStatuses} is empty when the main container never ran (an init
     * container failed).
     */
    void finish(List<ContainerStatus> mainStatuses, String phase, String message) {
        Instant now = Instant.now();
        update(
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
                    List<ContainerStatus> is = initStatuses();
                    if (!is.isEmpty()) {
                        s.setInitContainerStatuses(is);
                    }
                    List<ContainerStatus> cs = new ArrayList<>(mainStatuses);
                    if (cs.isEmpty()) {
                        cs.add(ContainerStatuses.waiting(main(), "PodInitializing", null));
                    }
                    cs.addAll(ContainerStatuses.notRun(pod.getSpec().getContainers(), now));
                    s.setContainerStatuses(cs);
                    return s;
                });
    }

    /** Applies {@code change} to the current status, again on a conflict. */
    private void update(UnaryOperator<PodStatus> change) {
        String name = pod.getMetadata().getName();
        var pods = client.pods().inNamespace(pod.getMetadata().getNamespace());
        for (int attempt = 0; attempt < 20; attempt++) {
            Pod current = pods.withName(name).get();
            if (current == null
                    || !pod.getMetadata().getUid().equals(current.getMetadata().getUid())
                    || isTerminal(current)) {
                return;
            }
            PodStatus st = current.getStatus() == null ? new PodStatus() : current.getStatus();
            current.setStatus(change.apply(st));
            try {
                pods.resource(current).updateStatus();
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

    static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private Container main() {
        return pod.getSpec().getContainers().get(0);
    }

    private List<ContainerStatus> initStatuses() {
        synchronized (initStatuses) {
            return new ArrayList<>(initStatuses);
        }
    }

    /** Sets a condition; its lastTransitionTime changes only when status or reason does. */
    private static void setCondition(PodStatus s, String type, String status, String reason) {
        PodCondition existing = findCondition(s, type);
        if (existing != null
                && status.equals(existing.getStatus())
                && Objects.equals(reason, existing.getReason())) {
            return;
        }
        List<PodCondition> conds =
                s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions());
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
        return first(s.getConditions(), c -> type.equals(c.getType()));
    }

    private static ContainerStatus findStatus(PodStatus s, String container) {
        return first(s.getContainerStatuses(), c -> container.equals(c.getName()));
    }

    private static <T> T first(List<T> list, Predicate<T> test) {
        return list == null ? null : list.stream().filter(test).findFirst().orElse(null);
    }
}
