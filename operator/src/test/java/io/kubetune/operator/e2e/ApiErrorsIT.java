package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.awaitState;
import static io.kubetune.operator.e2e.Jobs.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.api.v1alpha1.ConditionTypes;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.config.TrainerPolicy;
import io.kubetune.operator.lifecycle.OperatorReasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import io.kubetune.testing.TestPodRunner;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the real API server refuses shows up on the job: a name taken by an object the job does not
 * own, a ResourceQuota, the operator's policy. Each is a condition with a reason, a Warning event,
 * and (but the policy) recovers once fixed.
 */
@RealCluster
class ApiErrorsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    static KubernetesClient client;
    static TestPodRunner runner;
    static TestOperator operator;

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns) {
        client = c;
        runner = FakeTrainer.runner(c, ns.name());
        TrainerPolicy policy =
                new TrainerPolicy(List.of("kubetune/fake-trainer*"), List.of(), List.of());
        operator =
                TestOperator.start(
                        TestEnvironment.get().newClient(ns.name()),
                        ns.name(),
                        new OperatorSettings(
                                TestOperator.TRAINER_IMAGE, null, Duration.ofSeconds(5), policy),
                        4);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (runner != null) {
            runner.close();
        }
    }

    static FineTuneJob awaitNotReconciled(String name, String reason) {
        FineTuneJob j =
                Jobs.await(
                        client,
                        name,
                        TIMEOUT,
                        f ->
                                f.getStatus() != null
                                        && f.getStatus().conditions.stream()
                                                .anyMatch(
                                                        c ->
                                                                ConditionTypes.RECONCILED.equals(
                                                                                c.getType())
                                                                        && "False"
                                                                                .equals(
                                                                                        c
                                                                                                .getStatus())
                                                                        && reason.equals(
                                                                                c.getReason())));
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.warnings(client, name).stream()
                                .anyMatch(e -> reason.equals(e.getReason())),
                () -> "no Warning event " + reason + ": " + Jobs.warnings(client, name));
        return j;
    }

    @Test
    void preExistingUnownedServiceAccountIsNotUsed() {
        client.resource(
                        new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName("squatted-ftj-trainer")
                                .endMetadata()
                                .build())
                .create();
        client.resource(fake("squatted", "succeed", "")).create();

        FineTuneJob refused = awaitNotReconciled("squatted", Reasons.RESOURCE_CONFLICT);

        assertThat(refused.getStatus().state).isNotEqualTo(JobState.Running);
        assertThat(conditionMessage(refused))
                .isEqualTo(
                        "ServiceAccount squatted-ftj-trainer exists and is not owned by"
                                + " FineTuneJob squatted; delete or rename it (the operator never"
                                + " uses an object it did not create)");
        assertThat(Jobs.jobsOf(client, "squatted")).as("no Job runs as that account").isEmpty();

        client.serviceAccounts().withName("squatted-ftj-trainer").delete();

        FineTuneJob done = awaitState(client, "squatted", JobState.Succeeded, TIMEOUT);
        assertThat(reconciled(done)).isEqualTo("True");
        assertThat(
                        client.serviceAccounts()
                                .withName("squatted-ftj-trainer")
                                .get()
                                .getMetadata()
                                .getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(done.getMetadata().getUid()));
    }

    @Test
    void quotaRefusalIsOnTheStatusAndRecoversWhenRaised() {
        client.resource(
                        new ResourceQuotaBuilder()
                                .withNewMetadata()
                                .withName("no-jobs")
                                .endMetadata()
                                .withNewSpec()
                                .addToHard(
                                        "count/jobs.batch",
                                        new io.fabric8.kubernetes.api.model.Quantity("0"))
                                .endSpec()
                                .build())
                .create();
        // the quota is enforced once the controller manager has counted what it limits
        Jobs.eventually(
                TIMEOUT,
                () -> {
                    var q =
                            client.resources(io.fabric8.kubernetes.api.model.ResourceQuota.class)
                                    .withName("no-jobs")
                                    .get();
                    return q.getStatus() != null
                            && q.getStatus().getHard() != null
                            && !q.getStatus().getHard().isEmpty();
                },
                () -> "the quota's status was never computed");
        try {
            client.resource(fake("over-quota", "succeed", "")).create();

            FineTuneJob refused = awaitNotReconciled("over-quota", OperatorReasons.QUOTA_EXCEEDED);

            assertThat(conditionMessage(refused)).contains("exceeded quota: no-jobs");
        } finally {
            client.resources(io.fabric8.kubernetes.api.model.ResourceQuota.class)
                    .withName("no-jobs")
                    .delete();
        }
        FineTuneJob done = awaitState(client, "over-quota", JobState.Succeeded, TIMEOUT);
        assertThat(reconciled(done)).isEqualTo("True");
    }

    @Test
    void imageOutsideTheOperatorsPolicyFailsBeforeAnyPod() {
        client.resource(fake("miner", "succeed", "image: registry.example.com/miner:1")).create();

        FineTuneJob failed = awaitState(client, "miner", JobState.Failed, TIMEOUT);

        Jobs.assertCondition(failed, "Failed", "True", Reasons.INVALID_SPEC);
        assertThat(failed.getStatus().message)
                .startsWith("spec.image: registry.example.com/miner:1 is not allowed")
                .contains("kubetune/fake-trainer*");
        assertThat(Jobs.jobsOf(client, "miner")).isEmpty();
    }

    private static String conditionMessage(FineTuneJob j) {
        return j.getStatus().conditions.stream()
                .filter(c -> ConditionTypes.RECONCILED.equals(c.getType()))
                .findFirst()
                .orElseThrow()
                .getMessage();
    }

    private static String reconciled(FineTuneJob j) {
        return j.getStatus().conditions.stream()
                .filter(c -> ConditionTypes.RECONCILED.equals(c.getType()))
                .findFirst()
                .orElseThrow()
                .getStatus();
    }
}
