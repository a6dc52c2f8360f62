package io.kubetune.operator.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.metrics.OperatorMetrics;
import io.kubetune.operator.reconciler.EvalJobReconciler;
import io.kubetune.operator.reconciler.FineTuneJobReconciler;
import io.kubetune.testing.TestEnvironment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * The operator's two reconcilers on plain JOSDK in the test JVM, watching one namespace of the real
 * API server: what the Quarkus app runs, without Quarkus, so a test can stop and start it.
 */
final class TestOperator implements AutoCloseable {
    static final String TRAINER_IMAGE = "kubetune/fake-trainer:1";

    private final Operator operator;
    final OperatorMetrics metrics;

    private TestOperator(Operator operator, OperatorMetrics metrics) {
        this.operator = operator;
        this.metrics = metrics;
    }

    static TestOperator start(String namespace) {
        return start(
                namespace, new OperatorSettings(TRAINER_IMAGE, null, Duration.ofSeconds(5)), 10);
    }

    static TestOperator start(String namespace, OperatorSettings settings, int threads) {
        return start(TestEnvironment.get().newClient(namespace), namespace, settings, threads);
    }

    /** The operator with its own client (closed with it), e.g. one with less than admin rights. */
    static TestOperator start(
            KubernetesClient client, String namespace, OperatorSettings settings, int threads) {
        OperatorMetrics metrics = new OperatorMetrics(new SimpleMeterRegistry());
        Operator operator =
                new Operator(
                        o ->
                                o.withKubernetesClient(client)
                                        .withCloseClientOnStop(true)
                                        .withConcurrentReconciliationThreads(threads)
                                        .withReconciliationTerminationTimeout(
                                                Duration.ofSeconds(5)));
        operator.register(
                new FineTuneJobReconciler(settings, metrics), c -> c.settingNamespaces(namespace));
        operator.register(
                new EvalJobReconciler(settings, metrics), c -> c.settingNamespaces(namespace));
        operator.start();
        return new TestOperator(operator, metrics);
    }

    @Override
    public void close() {
        operator.stop();
    }
}
