package io.kubetune.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.AttemptOutcome.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptClassifierTest {

    private static final Job JOB =
            new JobBuilder()
                    .withNewMetadata()
                    .withName("moby-1")
                    .endMetadata()
                    .withNewSpec()
                    .endSpec()
                    .build();

    private static PodBuilder pod(String phase) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("moby-1-x")
                .withCreationTimestamp("2026-01-01T00:00:00Z")
                .endMetadata()
                .withNewStatus()
                .withPhase(phase)
                .endStatus();
    }

    private static Pod terminated(int exit, String reason, String message) {
        return pod(exit == 0 ? "Succeeded" : "Failed")
                .editStatus()
                .addNewContainerStatus()
                .withName("trainer")
                .withNewState()
                .withNewTerminated()
                .withExitCode(exit)
                .withReason(reason)
                .withMessage(message)
                .endTerminated()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    private static Pod waiting(String reason) {
        return pod("Pending")
                .editStatus()
                .addNewContainerStatus()
                .withName("trainer")
                .withImage("registry.invalid/trainer:1")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage("pull access denied")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    private static AttemptOutcome classify(Pod pod) {
        return AttemptClassifier.classify(JOB, List.of(pod));
    }

    @Test
    void successReadsTheTrainerResult() {
        AttemptOutcome o =
                classify(
                        terminated(
                                0,
                                "Completed",
                                "{\"steps\":4,\"finalLoss\":1.5,\"adapterUri\":\"s3://runs/moby/adapter\",\"future\":1}"));

        assertThat(o.phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(o.result().adapterUri).isEqualTo("s3://runs/moby/adapter");
        assertThat(o.result().finalLoss).isEqualTo(1.5);
    }

    @Test
    void trainerErrorFailsWithItsMessage() {
        AttemptOutcome o =
                classify(
                        terminated(
                                1, "Error", "{\"error\":\"dataset s3://data/x.jsonl not found\"}"));

        assertThat(o.phase()).isEqualTo(Phase.FAILED);
        assertThat(o.reason()).isEqualTo(Reasons.TRAINER_ERROR);
        assertThat(o.message()).isEqualTo("dataset s3://data/x.jsonl not found");
    }

    @Test
    void crashWithoutResultUsesTheLogTail() {
        AttemptOutcome o =
                classify(terminated(1, "Error", "line 1\nException in thread main: boom\n"));

        assertThat(o.reason()).isEqualTo(Reasons.TRAINER_ERROR);
        assertThat(o.message()).isEqualTo("Exception in thread main: boom");
    }

    @Test
    void noGpuFailsAtOnceNamingTheLikelyCauses() {
        AttemptOutcome o =
                classify(
                        terminated(
                                3,
                                "Error",
                                "{\"error\":\"--device cuda: the engine sees no GPU\"}"));

        assertThat(o.phase()).isEqualTo(Phase.FAILED);
        assertThat(o.reason()).isEqualTo(Reasons.NO_GPU);
        assertThat(o.message())
                .contains("image")
                .contains("driver")
                .contains("device plugin")
                .contains("the engine sees no GPU");
    }

    @Test
    void invalidSpecIsNotRetried() {
        AttemptOutcome o =
                classify(
                        terminated(
                                2,
                                "Error",
                                "{\"error\":\"spec.training.batchSize: must be > 0\"}"));

        assertThat(o.phase()).isEqualTo(Phase.FAILED);
        assertThat(o.reason()).isEqualTo(Reasons.INVALID_SPEC);
    }

    @Test
    void resumableExitAndKilledContainerStartANewAttempt() {
        assertThat(classify(terminated(75, "Error", "{}")).phase()).isEqualTo(Phase.RESUMABLE);
        AttemptOutcome killed = classify(terminated(137, "Error", ""));
        assertThat(killed.phase()).isEqualTo(Phase.RESUMABLE);
        assertThat(killed.reason()).isEqualTo(OperatorReasons.POD_KILLED);
    }

    @Test
    void oomKilledFails() {
        AttemptOutcome o = classify(terminated(137, "OOMKilled", ""));

        assertThat(o.phase()).isEqualTo(Phase.FAILED);
        assertThat(o.reason()).isEqualTo(Reasons.OOM_KILLED);
        assertThat(o.message()).contains("spec.resources.memory");
    }

    @Test
    void imagePullErrorsFail() {
        for (String reason : List.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName")) {
            AttemptOutcome o = classify(waiting(reason));
            assertThat(o.phase()).as(reason).isEqualTo(Phase.FAILED);
            assertThat(o.reason()).isEqualTo(Reasons.IMAGE_PULL_ERROR);
            assertThat(o.message()).contains("registry.invalid/trainer:1").contains(reason);
        }
    }

    @Test
    void containerCreatingIsPending() {
        assertThat(classify(waiting("ContainerCreating")).phase()).isEqualTo(Phase.PENDING);
    }

    @Test
    void unschedulableStaysPendingWithTheSchedulersMessage() {
        Pod p =
                pod("Pending")
                        .editStatus()
                        .addNewCondition()
                        .withType("PodScheduled")
                        .withStatus("False")
                        .withReason("Unschedulable")
                        .withMessage("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.")
                        .endCondition()
                        .endStatus()
                        .build();

        AttemptOutcome o = classify(p);

        assertThat(o.phase()).isEqualTo(Phase.PENDING);
        assertThat(o.reason()).isEqualTo(Reasons.UNSCHEDULABLE);
        assertThat(o.message()).contains("Insufficient nvidia.com/gpu");
    }

    @Test
    void evictionAndPreemptionAreResumable() {
        Pod evicted =
                pod("Failed")
                        .editStatus()
                        .withReason("Evicted")
                        .withMessage("low on memory")
                        .endStatus()
                        .build();
        assertThat(classify(evicted).reason()).isEqualTo(Reasons.EVICTED);
        assertThat(classify(evicted).phase()).isEqualTo(Phase.RESUMABLE);

        Pod preempted =
                pod("Failed")
                        .editStatus()
                        .addNewCondition()
                        .withType("DisruptionTarget")
                        .withStatus("True")
                        .withReason("PreemptionByScheduler")
                        .withMessage("preempted by team-b/big")
                        .endCondition()
                        .addNewContainerStatus()
                        .withName("trainer")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(143)
                        .endTerminated()
                        .endState()
                        .endContainerStatus()
                        .endStatus()
                        .build();
        assertThat(classify(preempted).reason()).isEqualTo(Reasons.PREEMPTED);
        assertThat(classify(preempted).phase()).isEqualTo(Phase.RESUMABLE);
    }

    @Test
    void runningPodIsRunning() {
        assertThat(classify(pod("Running").build()).phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void jobWithoutPodsWaitsOrIsAdmittedByKueue() {
        assertThat(AttemptClassifier.classify(JOB, List.of()).phase()).isEqualTo(Phase.PENDING);
        Job suspended = new JobBuilder(JOB).editSpec().withSuspend(true).endSpec().build();
        assertThat(AttemptClassifier.classify(suspended, List.of()).reason())
                .isEqualTo(Reasons.AWAITING_ADMISSION);
    }

    @Test
    void jobPastItsDeadlineFails() {
        Job failed =
                new JobBuilder(JOB)
                        .withNewStatus()
                        .addNewCondition()
                        .withType("Failed")
                        .withStatus("True")
                        .withReason("DeadlineExceeded")
                        .endCondition()
                        .endStatus()
                        .build();

        AttemptOutcome o = AttemptClassifier.classify(failed, List.of());

        assertThat(o.phase()).isEqualTo(Phase.FAILED);
        assertThat(o.reason()).isEqualTo(Reasons.DEADLINE_EXCEEDED);
    }
}
