package io.kubetune.operator.metrics;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kubetune.api.v1alpha1.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The operator's Prometheus metrics: {@code kubetune_jobs{kind,state}} (jobs by state), {@code
 * kubetune_reconcile_duration_seconds{kind}} (with p50/p99), split into {@code
 * kubetune_reconcile_cpu_seconds{kind}} (the reconcile thread's own CPU time) and {@code
 * kubetune_reconcile_wait_seconds{kind}} (the rest: mostly waiting on the API server, also waiting
 * for a core on a busy node), and {@code kubetune_job_retries_total{kind,reason}} (attempts started
 * to resume after a failure).
 */
@Singleton
public class OperatorMetrics {
    private final MeterRegistry registry;
    private final Map<String, Map<ResourceID, JobState>> states = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @Inject
    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Times one reconcile of a {@code kind}: wall time, own CPU time and the difference. */
    public <T> T timeReconcile(String kind, Supplier<T> reconcile) {
        long cpu = cpuNanos();
        long start = System.nanoTime();
        try {
            return reconcile.get();
        } finally {
            long wall = System.nanoTime() - start;
            long own = cpu < 0 ? 0 : Math.min(wall, cpuNanos() - cpu);
            timer(kind).record(wall, TimeUnit.NANOSECONDS);
            cpuTimer(kind).record(own, TimeUnit.NANOSECONDS);
            waitTimer(kind).record(wall - own, TimeUnit.NANOSECONDS);
        }
    }

    /** Wall time of one reconcile. */
    public Timer timer(String kind) {
        return timer("kubetune.reconcile.duration", "Time of one reconcile", kind);
    }

    /** CPU time of the reconcile thread during one reconcile. */
    public Timer cpuTimer(String kind) {
        return timer("kubetune.reconcile.cpu", "CPU time of one reconcile", kind);
    }

    /** Wall minus CPU time of one reconcile: waiting on the API server (or for a core). */
    public Timer waitTimer(String kind) {
        return timer("kubetune.reconcile.wait", "Time one reconcile waits", kind);
    }

    private Timer timer(String name, String description, String kind) {
        return timers.computeIfAbsent(
                name + "/" + kind,
                k ->
                        Timer.builder(name)
                                .description(description)
                                .tag("kind", kind)
                                .publishPercentiles(0.5, 0.99)
                                .register(registry));
    }

    private long cpuNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /** Records the state of a job, or forgets it when {@code state} is null (deleted). */
    public void state(String kind, ResourceID id, JobState state) {
        Map<ResourceID, JobState> byId =
                states.computeIfAbsent(
                        kind,
                        k -> {
                            Map<ResourceID, JobState> m = new ConcurrentHashMap<>();
                            for (JobState s : JobState.values()) {
                                Gauge.builder(
                                                "kubetune.jobs",
                                                m,
                                                map ->
                                                        map.values().stream()
                                                                .filter(s::equals)
                                                                .count())
                                        .description("Jobs by state")
                                        .tag("kind", k)
                                        .tag("state", s.name())
                                        .register(registry);
                            }
                            return m;
                        });
        if (state == null) {
            byId.remove(id);
        } else {
            byId.put(id, state);
        }
    }

    /** Counts a new attempt started after a resumable failure. */
    public void retried(String kind, String reason) {
        Counter.builder("kubetune.job.retries")
                .description("Attempts started to resume after a failure")
                .tag("kind", kind)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
