package io.kubetune.operator.metrics;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kubetune.api.v1alpha1.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The operator's Prometheus metrics: {@code kubetune_jobs{kind,state}} (jobs by state), {@code
 * kubetune_reconcile_duration_seconds{kind}} (with p50/p99) and {@code
 * kubetune_job_retries_total{kind,reason}} (attempts started to resume after a failure).
 */
@Singleton
public class OperatorMetrics {
    private final MeterRegistry registry;
    private final Map<String, Map<ResourceID, JobState>> states = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @Inject
    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Times one reconcile of a {@code kind}. */
    public <T> T timeReconcile(String kind, Supplier<T> reconcile) {
        return timer(kind).record(reconcile);
    }

    public Timer timer(String kind) {
        return timers.computeIfAbsent(
                kind,
                k ->
                        Timer.builder("kubetune.reconcile.duration")
                                .description("Time of one reconcile")
                                .tag("kind", k)
                                .publishPercentiles(0.5, 0.99)
                                .register(registry));
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
