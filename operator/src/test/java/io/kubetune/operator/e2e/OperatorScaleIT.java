package io.kubetune.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * 1,000 FineTuneJobs applied at once on the real API server: every one gets its Job. Their pods are
 * scheduled on the kwok nodes and never run (no pod runner in this namespace). Prints the time
 * until every Job exists, p50/p99 of one reconcile split into the reconcile thread's own CPU time
 * and the rest (waiting on the API server), the operator's API requests per job and the heap; takes
 * minutes, so it runs only with {@code -Dkubetune.scale=true} ({@code -Dkubetune.scale.count=N} for
 * another count).
 */
@RealCluster
@EnabledIfSystemProperty(named = "kubetune.scale", matches = "true")
class OperatorScaleIT {

    @Test
    void everyFineTuneJobGetsItsJob(KubernetesClient client, TestNamespace ns) throws Exception {
        int count = Integer.getInteger("kubetune.scale.count", 1000);
        OperatorSettings settings =
                new OperatorSettings("kubetune/scale-not-run:1", null, Duration.ofMinutes(5));
        ApiCallCounter calls = new ApiCallCounter();
        KubernetesClient operatorClient =
                new KubernetesClientBuilder()
                        .withConfig(TestEnvironment.get().config(ns.name()))
                        .withHttpClientBuilderConsumer(
                                b -> b.addOrReplaceInterceptor("count", calls))
                        .build();
        try (TestOperator operator = TestOperator.start(operatorClient, ns.name(), settings, 20)) {
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            IntStream.range(0, count)
                    .forEach(
                            i ->
                                    pool.submit(
                                            () -> {
                                                FineTuneJob j =
                                                        Jobs.fake("scale-" + i, "succeed", "");
                                                j.getSpec().resources = null;
                                                return client.resource(j).create();
                                            }));
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
            double applied = (System.nanoTime() - start) / 1e9;

            Jobs.eventually(
                    Duration.ofMinutes(10),
                    () -> jobCount(client) >= count,
                    () -> jobCount(client) + " of " + count + " Jobs");
            double allJobs = (System.nanoTime() - start) / 1e9;
            Jobs.eventually(
                    Duration.ofMinutes(10),
                    () -> withStatus(client) >= count,
                    () -> withStatus(client) + " of " + count + " with a status");
            double allStatus = (System.nanoTime() - start) / 1e9;
            // what the pods' scheduling still triggers, so the requests per job are complete
            Thread.sleep(10_000);

            Timer wall = operator.metrics.timer("finetunejob");
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf(
                    "[scale] %d FineTuneJobs: applied in %.1f s, all Jobs after %.1f s, all"
                            + " statuses after %.1f s; %d reconciles: wall%s, own CPU%s, waiting%s;"
                            + " heap after GC %d MiB%n",
                    count,
                    applied,
                    allJobs,
                    allStatus,
                    wall.count(),
                    percentiles(wall),
                    percentiles(operator.metrics.cpuTimer("finetunejob")),
                    percentiles(operator.metrics.waitTimer("finetunejob")),
                    heap / (1024 * 1024));
            System.out.printf(
                    "[scale] operator API requests: %d, %.2f per job%n",
                    calls.total(), calls.total() / (double) count);
            calls.counts().forEach((k, v) -> System.out.printf("[scale]   %-40s %6d%n", k, v));
            assertThat(jobCount(client)).isEqualTo(count);
        }
    }

    private static String percentiles(Timer timer) {
        StringBuilder p = new StringBuilder();
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            p.append(
                    String.format(
                            " p%.0f %.1f ms",
                            v.percentile() * 100, v.value(TimeUnit.MILLISECONDS)));
        }
        return p.append(String.format(" mean %.1f ms", timer.mean(TimeUnit.MILLISECONDS)))
                .toString();
    }

    private static int jobCount(KubernetesClient client) {
        return client.batch()
                .v1()
                .jobs()
                .withLabel("kubetune.io/kind", "finetunejob")
                .list()
                .getItems()
                .size();
    }

    private static long withStatus(KubernetesClient client) {
        return client.resources(FineTuneJob.class).list().getItems().stream()
                .filter(j -> j.getStatus() != null && j.getStatus().state != null)
                .count();
    }
}
