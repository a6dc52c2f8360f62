package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static io.kubetune.operator.e2e.Jobs.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestNamespace;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How a FineTuneJob fails, and that the reason and message say why: conditions and events. */
@RealCluster
class FineTuneJobFailureIT {
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

    private static FineTuneJob failsWith(FineTuneJob j, String reason) {
        client.resource(j).create();
        String name = j.getMetadata().getName();
        FineTuneJob failed = awaitState(client, name, JobState.Failed, TIMEOUT);
        assertCondition(failed, "Failed", "True", reason);
        assertThat(failed.getStatus().completionTime).isNotNull();
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.warnings(client, name).stream()
                                .anyMatch(e -> reason.equals(e.getReason())),
                () -> "no Warning event " + reason + ": " + Jobs.warnings(client, name));
        return failed;
    }

    @Test
    void trainerErrorFailsAtOnceWithTheTrainersMessage() {
        FineTuneJob failed = failsWith(fake("broken", "fail", ""), Reasons.TRAINER_ERROR);

        assertThat(failed.getStatus().message).isEqualTo("fake trainer: the dataset is empty");
        assertThat(failed.getStatus().attempts).isEqualTo(1);
    }

    @Test
    void podThatAskedForAGpuAndSawNoneFailsNoGpu() {
        FineTuneJob j = fake("gpu-less", "succeed", "");
        j.getSpec().resources.gpus = 1;

        FineTuneJob failed = failsWith(j, Reasons.NO_GPU);

        assertThat(failed.getStatus().message)
                .contains("image")
                .contains("driver")
                .contains("device plugin");
        assertThat(Jobs.jobsOf(client, "gpu-less")).hasSize(1);
        assertThat(
                        Jobs.jobsOf(client, "gpu-less")
                                .get(0)
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getArgs())
                .containsSequence("--device", "cuda");
    }

    @Test
    void invalidSpecIsNotRetried() {
        FineTuneJob failed = failsWith(fake("invalid", "invalid", ""), Reasons.INVALID_SPEC);

        assertThat(failed.getStatus().message).contains("spec.training.batchSize");
        assertThat(Jobs.jobsOf(client, "invalid")).hasSize(1);
    }

    @Test
    void oomKilledTrainerFails() {
        FineTuneJob j = fake("hungry", "oom", "image: " + FakeTrainer.OOM_IMAGE);

        FineTuneJob failed = failsWith(j, Reasons.OOM_KILLED);

        assertThat(failed.getStatus().message).contains("spec.resources.memory");
        assertThat(Jobs.jobsOf(client, "hungry")).hasSize(1);
    }

    @Test
    void imageThatCannotBePulledFailsAndItsPodIsStopped() {
        FineTuneJob j = fake("no-image", "succeed", "image: registry.invalid/kubetune/trainer:0");

        FineTuneJob failed = failsWith(j, Reasons.IMAGE_PULL_ERROR);

        assertThat(failed.getStatus().message)
                .contains("registry.invalid/kubetune/trainer:0")
                .contains("ErrImagePull");
        // the pending pod is deleted so that it does not wait for the image for ever
        Jobs.eventually(
                TIMEOUT,
                () -> Jobs.podsOf(client, "no-image").isEmpty(),
                () -> "pods left: " + Jobs.podsOf(client, "no-image").size());
    }

    @Test
    void resumableFailuresStopAtTheBackoffLimit() {
        FineTuneJob failed =
                failsWith(
                        fake("flaky", "resumable", "backoffLimit: 1"),
                        Reasons.BACKOFF_LIMIT_EXCEEDED);

        assertThat(failed.getStatus().attempts).isEqualTo(2);
        assertThat(Jobs.jobsOf(client, "flaky")).hasSize(2);
    }

    @Test
    void deadlineAcrossAttemptsFailsTheJob() {
        FineTuneJob failed =
                failsWith(
                        fake("slow", "sleep-120", "activeDeadlineSeconds: 4"),
                        Reasons.DEADLINE_EXCEEDED);

        assertThat(failed.getStatus().message).contains("activeDeadlineSeconds");
    }

    @Test
    void finishedJobIsDeletedAfterItsTtl() {
        client.resource(fake("short-lived", "succeed", "ttlSecondsAfterFinished: 2")).create();
        awaitState(client, "short-lived", JobState.Succeeded, TIMEOUT);

        Jobs.eventually(
                TIMEOUT,
                () -> Jobs.get(client, "short-lived") == null,
                () -> "still there: " + Jobs.get(client, "short-lived").getStatus().state);
    }
}
