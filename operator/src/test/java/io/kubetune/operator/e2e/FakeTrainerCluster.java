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

    private FakeTrainerCluster(KubernetesClient client, String namespace) {
        this.namespace = namespace;
        this.runner = FakeTrainer.runner(client, namespace);
        this.operator = TestOperator.start(namespace);
    }

    static FakeTrainerCluster start(KubernetesClient client, String namespace) {
        return new FakeTrainerCluster(client, namespace);
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
