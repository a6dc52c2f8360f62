package io.kubetune.operator.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.testing.TestPodRunner;

/**
 * The lifecycle tests' setting for one namespace: the operator running in this JVM and the pod
 * runner playing the kubelet for the {@link FakeTrainer} images.
 */
final class FakeTrainerCluster implements AutoCloseable {
    final TestPodRunner runner;
    private final String namespace;
    private TestOperator operator;

    private FakeTrainerCluster(KubernetesClient client, String namespace, TestOperator operator) {
        this.namespace = namespace;
        this.runner = FakeTrainer.runner(client, namespace);
        this.operator = operator;
    }

    static FakeTrainerCluster start(KubernetesClient client, String namespace) {
        return new FakeTrainerCluster(client, namespace, TestOperator.start(namespace));
    }

    /** With an operator that looks again without events only every {@code resync}. */
    static FakeTrainerCluster start(
            KubernetesClient client, String namespace, java.time.Duration resync) {
        return new FakeTrainerCluster(
                client,
                namespace,
                TestOperator.start(
                        namespace,
                        new io.kubetune.operator.config.OperatorSettings(
                                TestOperator.TRAINER_IMAGE, null, resync),
                        10));
    }

    /** With an operator that runs as {@code operatorClient} (e.g. a restricted identity). */
    static FakeTrainerCluster start(
            KubernetesClient client, String namespace, KubernetesClient operatorClient) {
        return new FakeTrainerCluster(
                client,
                namespace,
                TestOperator.start(
                        operatorClient,
                        namespace,
                        new io.kubetune.operator.config.OperatorSettings(
                                TestOperator.TRAINER_IMAGE, null, java.time.Duration.ofSeconds(5)),
                        4));
    }

    TestOperator operator() {
        return operator;
    }

    /** Stops the operator and starts a new one, as a pod restart would. */
    void restartOperator() {
        operator.close();
        operator = TestOperator.start(namespace);
    }

    @Override
    public void close() {
        try {
            operator.close();
        } finally {
            runner.close();
        }
    }
}
