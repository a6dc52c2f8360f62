package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Watches the runner's pods and gives each pod bound to one of its nodes a {@link PodRun}: a new
 * Pending pod starts one, a deleted pod stops its one (or is finished, if it never started).
 */
final class PodWatcher implements AutoCloseable {
    private final PodRunnerSettings settings;
    private final Map<String, String> labelSelector;
    private final Set<String> nodes;
    private final ExecutorService executor =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "test-pod-runner");
                        t.setDaemon(true);
                        return t;
                    });
    private final Map<String, PodRun> runs = new ConcurrentHashMap<>(); // by pod uid
    private volatile SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    PodWatcher(PodRunnerSettings settings, Map<String, String> labelSelector, Set<String> nodes) {
        this.settings = settings;
        this.labelSelector = Map.copyOf(labelSelector);
        this.nodes = Set.copyOf(nodes);
    }

    void start() {
        informer =
                settings.client()
                        .pods()
                        .inNamespace(settings.namespace())
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
                                            r.kill();
                                        }
                                    }
                                },
                                0);
    }

    /** The latest run of a pod of that name. */
    Optional<PodRun> find(String podName) {
        return runs.values().stream()
                .filter(r -> r.name.equals(podName))
                .max(Comparator.comparing(r -> r.created));
    }

    Collection<PodRun> runs() {
        return runs.values();
    }

    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        runs.values().forEach(PodRun::close);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            } else if (!PodStatusWriter.isTerminal(pod)
                    && runs.putIfAbsent(uid, newRun(pod)) == null) {
                // never started by us: finish it as the kubelet would
                PodRun fresh = runs.get(uid);
                executor.submit(fresh::finishDeletedUnstarted);
            }
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (phase != null && !phase.equals("Pending")) {
            return; // already running or finished (e.g. by an earlier runner)
        }
        PodRun run = newRun(pod);
        if (runs.putIfAbsent(uid, run) == null) {
            executor.submit(run::run);
        }
    }

    private PodRun newRun(Pod pod) {
        return new PodRun(pod, settings, executor, () -> closed);
    }
}
