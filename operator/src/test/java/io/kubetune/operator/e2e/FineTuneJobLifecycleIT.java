package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.applyProgress;
import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.assertForbidden;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static io.kubetune.operator.e2e.Jobs.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.operator.lifecycle.OperatorReasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The FineTuneJob lifecycle on the real API server, controller-manager and kwok nodes, with the
 * operator in this JVM and a scripted trainer ({@link FakeTrainer}) run by the pod runner.
 */
@RealCluster
class FineTuneJobLifecycleIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    static KubernetesClient client;
    static FakeTrainerCluster cluster;

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns) {
        client = c;
        cluster = FakeTrainerCluster.start(c, ns.name());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static FineTuneJob create(FineTuneJob j) {
        return client.resource(j).create();
    }

    @Test
    void succeedsWithTheTrainersResultAndKeepsTheTrainersProgress() {
        create(fake("ok", "sleep-3", ""));
        awaitState(client, "ok", JobState.Running, TIMEOUT);
        // the trainer reports progress with its own field manager while it runs
        applyProgress(client, "ok", 2);

        FineTuneJob done = awaitState(client, "ok", JobState.Succeeded, TIMEOUT);

        assertThat(done.getStatus().adapterUri)
                .isEqualTo("s3://kubetune-test/fake/sleep-3/ok/adapter");
        assertThat(done.getStatus().attempts).isEqualTo(1);
        assertThat(done.getStatus().startTime).isNotNull();
        assertThat(done.getStatus().completionTime).isNotNull();
        assertThat(done.getStatus().observedGeneration)
                .isEqualTo(done.getMetadata().getGeneration());
        assertCondition(done, "Succeeded", "True", Reasons.COMPLETED);
        assertCondition(done, "Running", "False", Reasons.COMPLETED);
        // the operator's patches neither removed nor took over the trainer's progress
        assertThat(done.getStatus().progress).isNotNull();
        assertThat(done.getStatus().progress.step).isEqualTo(2L);
        assertThat(done.getMetadata().getManagedFields())
                .anySatisfy(
                        f -> {
                            assertThat(f.getManager())
                                    .isEqualTo(TrainerContract.TRAINER_FIELD_MANAGER);
                            assertThat(f.getFieldsV1().getAdditionalProperties().toString())
                                    .contains("f:progress");
                        })
                .allSatisfy(
                        f -> {
                            if ("kubetune-operator".equals(f.getManager())) {
                                assertThat(f.getFieldsV1().getAdditionalProperties().toString())
                                        .doesNotContain("f:progress");
                            }
                        });
        assertThat(Jobs.jobsOf(client, "ok")).hasSize(1);
    }

    @Test
    void steadyRunDoesNotChurnTheStatus() {
        create(fake("steady", "sleep-15", ""));
        String seen =
                awaitState(client, "steady", JobState.Running, TIMEOUT)
                        .getMetadata()
                        .getResourceVersion();

        // the operator looks again every 5 s here (resync) and on every pod event
        Jobs.sleep(7000);

        assertThat(Jobs.get(client, "steady").getMetadata().getResourceVersion()).isEqualTo(seen);
        client.resources(FineTuneJob.class).withName("steady").delete();
    }

    @Test
    void killedPodIsResumedInANewAttemptThatSucceeds() throws Exception {
        create(fake("killed", "sleep-60", ""));
        awaitState(client, "killed", JobState.Running, TIMEOUT);
        Pod pod = Jobs.podsOf(client, "killed").get(0);
        cluster.runner.awaitStarted(pod.getMetadata().getName(), TIMEOUT);

        assertThat(cluster.runner.kill(pod.getMetadata().getName())).isTrue();

        FineTuneJob done = awaitState(client, "killed", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().attempts).isEqualTo(2);
        assertThat(Jobs.jobsOf(client, "killed"))
                .extracting(j -> j.getMetadata().getName())
                .containsExactlyInAnyOrder("killed-ftj-1", "killed-ftj-2");
        assertThat(Jobs.warnings(client, "killed"))
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(OperatorReasons.POD_KILLED));
        assertThat(
                        cluster.operator()
                                .metrics
                                .registry()
                                .find("kubetune.job.retries")
                                .counter()
                                .count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void suspendStopsThePodAndResumeStartsANewAttempt() throws Exception {
        create(fake("pausable", "sleep-60", ""));
        awaitState(client, "pausable", JobState.Running, TIMEOUT);

        setSuspend("pausable", true);
        FineTuneJob suspended = awaitState(client, "pausable", JobState.Suspended, TIMEOUT);
        assertCondition(suspended, "Suspended", "True", Reasons.SUSPENDED_BY_USER);
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.podsOf(client, "pausable").stream()
                                .allMatch(p -> "Failed".equals(p.getStatus().getPhase())),
                () -> "pods still running: " + Jobs.podsOf(client, "pausable").size());
        assertThat(Jobs.jobsOf(client, "pausable")).hasSize(1);

        setSuspend("pausable", false);
        FineTuneJob done = awaitState(client, "pausable", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().attempts).isEqualTo(2);
        // Resuming; JobCreated only where the operator lost what it last wrote (a restart between
        // the resume and the pod's start, while its informer is behind): no longer suspended.
        assertThat(done.getStatus().conditions)
                .filteredOn(c -> c.getType().equals("Suspended"))
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getStatus()).isEqualTo("False");
                            assertThat(c.getReason()).isIn(Reasons.RESUMING, Reasons.JOB_CREATED);
                        });
    }

    @Test
    void restartedOperatorCreatesNoSecondJob() {
        create(fake("restart", "sleep-8", ""));
        awaitState(client, "restart", JobState.Running, TIMEOUT);

        cluster.restartOperator();

        awaitState(client, "restart", JobState.Succeeded, TIMEOUT);
        assertThat(Jobs.jobsOf(client, "restart"))
                .extracting(j -> j.getMetadata().getName())
                .containsExactly("restart-ftj-1");
    }

    @Test
    void deletingARunningJobDeletesItsJobAndPods() {
        create(fake("doomed", "sleep-60", ""));
        awaitState(client, "doomed", JobState.Running, TIMEOUT);

        client.resources(FineTuneJob.class).withName("doomed").delete();

        // the garbage collector deletes the Job, then its pods (the runner stops the process)
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.jobsOf(client, "doomed").isEmpty()
                                && Jobs.podsOf(client, "doomed").isEmpty(),
                () ->
                        "Jobs "
                                + Jobs.jobsOf(client, "doomed").size()
                                + ", pods "
                                + Jobs.podsOf(client, "doomed").size());
    }

    @Test
    void queuedJobWaitsForKueueAdmissionThenRuns() {
        create(fake("queued", "succeed", "queueName: team-a"));
        FineTuneJob waiting =
                Jobs.awaitReason(client, "queued", Reasons.AWAITING_ADMISSION, TIMEOUT);
        assertThat(waiting.getStatus().state).isEqualTo(JobState.Pending);
        assertCondition(waiting, "Suspended", "True", Reasons.AWAITING_ADMISSION);
        var job = client.batch().v1().jobs().withName("queued-ftj-1").get();
        assertThat(job.getMetadata().getLabels())
                .containsEntry("kueue.x-k8s.io/queue-name", "team-a");
        assertThat(job.getSpec().getSuspend()).isTrue();
        assertThat(Jobs.podsOf(client, "queued")).isEmpty();

        // what Kueue does on admission
        client.batch()
                .v1()
                .jobs()
                .withName("queued-ftj-1")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":false}}");

        FineTuneJob done = awaitState(client, "queued", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().conditions)
                .anySatisfy(
                        c -> {
                            assertThat(c.getType()).isEqualTo("Suspended");
                            assertThat(c.getStatus()).isEqualTo("False");
                        });
    }

    @Test
    void unschedulablePodKeepsTheJobPendingWithTheSchedulersReason() {
        FineTuneJob nowhere = fake("nowhere", "succeed", "");
        nowhere.getSpec().resources.nodeSelector = Map.of("pool", "does-not-exist");
        create(nowhere);

        FineTuneJob pending = Jobs.awaitReason(client, "nowhere", Reasons.UNSCHEDULABLE, TIMEOUT);

        assertThat(pending.getStatus().state).isEqualTo(JobState.Pending);
        assertThat(pending.getStatus().message).contains("node");
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.warnings(client, "nowhere").stream()
                                .anyMatch(e -> Reasons.UNSCHEDULABLE.equals(e.getReason())),
                () -> "no Unschedulable event");
        client.resources(FineTuneJob.class).withName("nowhere").delete();
    }

    @Test
    void trainerServiceAccountMayPatchOnlyItsOwnJobsStatus() {
        create(fake("rbac-a", "sleep-60", ""));
        create(fake("rbac-b", "sleep-60", ""));
        awaitState(client, "rbac-a", JobState.Running, TIMEOUT);
        awaitState(client, "rbac-b", JobState.Running, TIMEOUT);
        String ns = client.getNamespace();
        Config config =
                new ConfigBuilder(TestEnvironment.get().config(ns))
                        .withImpersonateUsername(
                                "system:serviceaccount:" + ns + ":rbac-a-ftj-trainer")
                        .build();
        try (KubernetesClient trainer = new KubernetesClientBuilder().withConfig(config).build()) {
            var own = trainer.resources(FineTuneJob.class).withName("rbac-a");
            // the trainer reads its spec from the job file, not from the API
            assertForbidden(own::get);
            // server-side apply of its status, as the trainer does
            applyProgress(trainer, "rbac-a", 1);
            assertForbidden(() -> applyProgress(trainer, "rbac-b", 1));
            assertForbidden(
                    () ->
                            own.patch(
                                    PatchContext.of(PatchType.JSON_MERGE),
                                    "{\"spec\":{\"suspend\":true}}"));
            assertForbidden(() -> trainer.resources(FineTuneJob.class).list());
            assertForbidden(() -> trainer.secrets().list());
        }
        client.resources(FineTuneJob.class).withName("rbac-a").delete();
        client.resources(FineTuneJob.class).withName("rbac-b").delete();
    }

    private static void setSuspend(String name, boolean suspend) {
        client.resources(FineTuneJob.class)
                .withName(name)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"suspend\":" + suspend + "}}");
    }
}
