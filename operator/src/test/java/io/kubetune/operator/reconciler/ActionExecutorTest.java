package io.kubetune.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.desired.TestJobs;
import io.kubetune.operator.lifecycle.Action;
import io.kubetune.operator.lifecycle.Attempts;
import io.kubetune.operator.lifecycle.Decision;
import io.kubetune.operator.lifecycle.Preparation;
import io.kubetune.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the executor sends for a decision, on Fabric8's CRUD mock server (create, get, patch,
 * delete; no validation, RBAC or garbage collection: those are the ITs').
 */
@EnableKubernetesMockClient(crud = true)
class ActionExecutorTest {
    static KubernetesClient client;

    private final OperatorMetrics metrics = new OperatorMetrics(new SimpleMeterRegistry());
    private final List<Job> created = new java.util.ArrayList<>();
    private final ActionExecutor executor =
            new ActionExecutor(
                    new OperatorSettings("kubetune/trainer:1", null, Duration.ofSeconds(60)),
                    metrics,
                    "finetunejob",
                    "train",
                    created::add);
    private FineTuneJob ftj;
    private String ns;

    /** A namespace per test: the mock server keeps its objects for the whole class. */
    @BeforeEach
    void job(org.junit.jupiter.api.TestInfo test) {
        ns = test.getTestMethod().orElseThrow().getName().toLowerCase(java.util.Locale.ROOT);
        ftj = TestJobs.cpuFineTuneJob();
        ftj.getMetadata().setNamespace(ns);
    }

    private void carryOut(Action action, Job current, String mark) {
        Decision d =
                new Decision(
                        action,
                        new FineTuneJobStatus(),
                        Optional.empty(),
                        List.of(),
                        Optional.ofNullable(mark));
        executor.carryOut(
                client,
                ftj,
                ftj.getSpec(),
                d,
                current,
                client.pods().inNamespace(ns).list().getItems(),
                Preparation.ready(ftj, List.of("s3-credentials")));
    }

    private Job job(String name) {
        return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    }

    @Test
    void aStartMakesTheJobFileTheTrainersIdentityThenTheJobAndRepeatsSafely() {
        carryOut(new Action.Start(1, null), null, null);
        carryOut(new Action.Start(1, null), null, null); // a reconcile repeated after a crash

        assertThat(client.configMaps().inNamespace(ns).withName("moby-ftj-job").get()).isNotNull();
        assertThat(client.serviceAccounts().inNamespace(ns).withName("moby-ftj-trainer").get())
                .isNotNull();
        assertThat(client.rbac().roles().inNamespace(ns).withName("moby-ftj-trainer").get())
                .isNotNull();
        assertThat(client.rbac().roleBindings().inNamespace(ns).withName("moby-ftj-trainer").get())
                .isNotNull();
        assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems())
                .singleElement()
                .satisfies(j -> assertThat(j.getMetadata().getName()).isEqualTo("moby-ftj-1"));
        // the reconciler caches the Job it created, once, as the server returned it
        assertThat(created)
                .singleElement()
                .satisfies(j -> assertThat(j.getMetadata().getUid()).isNotNull());
    }

    @Test
    void aServiceAccountSomeoneElseMadeIsNeverUsed() {
        client.serviceAccounts()
                .inNamespace(ns)
                .resource(
                        new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName("moby-ftj-trainer")
                                .endMetadata()
                                .build())
                .create();

        assertThatThrownBy(() -> carryOut(new Action.Start(1, null), null, null))
                .isInstanceOf(ResourceConflictException.class)
                .hasMessage(
                        "ServiceAccount moby-ftj-trainer exists and is not owned by FineTuneJob"
                                + " moby; delete or rename it (the operator never uses an object"
                                + " it did not create)");
        assertThat(job("moby-ftj-1")).as("no pod runs as that account").isNull();
    }

    @Test
    void aRetryMarksTheEndedAttemptStopsItsPodAndStartsTheNext() {
        carryOut(new Action.Start(1, null), null, null);
        Job first = job("moby-ftj-1");
        client.pods()
                .inNamespace(ns)
                .resource(
                        new PodBuilder()
                                .withNewMetadata()
                                .withName("moby-ftj-1-abcde")
                                .addNewOwnerReference()
                                .withUid(first.getMetadata().getUid())
                                .withName("moby-ftj-1")
                                .endOwnerReference()
                                .endMetadata()
                                .withNewStatus()
                                .withPhase("Running")
                                .endStatus()
                                .build())
                .create();

        carryOut(new Action.Retry(first, 2, 300L, Reasons.EVICTED), first, Reasons.EVICTED);

        assertThat(job("moby-ftj-1").getMetadata().getAnnotations())
                .containsEntry(Attempts.OUTCOME, Reasons.EVICTED);
        assertThat(client.pods().inNamespace(ns).withName("moby-ftj-1-abcde").get()).isNull();
        assertThat(job("moby-ftj-2").getSpec().getActiveDeadlineSeconds()).isEqualTo(300L);
        assertThat(
                        metrics.registry()
                                .get("kubetune.job.retries")
                                .tag("reason", Reasons.EVICTED)
                                .counter()
                                .count())
                .isEqualTo(1.0);
    }
}
