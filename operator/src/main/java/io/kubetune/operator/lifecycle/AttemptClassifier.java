package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.operator.lifecycle.AttemptOutcome.Phase;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an attempt's Job and pod and says where it stands: the pod's container state, exit code and
 * termination message, the pod's conditions and the Job's. Pure: no API calls.
 */
public final class AttemptClassifier {
    static final Set<String> IMAGE_PULL_ERRORS =
            Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

    private AttemptClassifier() {}

    /** The outcome of {@code job}, whose pods are {@code pods} (those it owns). */
    public static AttemptOutcome classify(Job job, List<Pod> pods) {
        Optional<Pod> pod = pods.stream().max(Comparator.comparing(AttemptClassifier::created));
        if (pod.isPresent()) {
            AttemptOutcome fromPod = fromPod(pod.get());
            if (fromPod != null) {
                return fromPod;
            }
        }
        Optional<JobCondition> failed = condition(job, "Failed");
        if (failed.isPresent()) {
            if ("DeadlineExceeded".equals(failed.get().getReason())) {
                return AttemptOutcome.of(
                        Phase.FAILED,
                        Reasons.DEADLINE_EXCEEDED,
                        "the job ran longer than spec.activeDeadlineSeconds");
            }
            // the pod is gone (deleted with its node, or by hand) before we read it
            return AttemptOutcome.of(
                    Phase.RESUMABLE,
                    OperatorReasons.POD_KILLED,
                    "the pod was deleted: " + failed.get().getMessage());
        }
        if (condition(job, "Complete").isPresent()) {
            return new AttemptOutcome(
                    Phase.SUCCEEDED, Reasons.COMPLETED, "training finished", null);
        }
        if (job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            return AttemptOutcome.of(
                    Phase.PENDING,
                    Reasons.AWAITING_ADMISSION,
                    "waiting for Kueue to admit the Job");
        }
        return AttemptOutcome.of(Phase.PENDING, Reasons.JOB_CREATED, "waiting for the pod");
    }

    /** The outcome told by the pod, or null when the pod says nothing yet. */
    static AttemptOutcome fromPod(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        ContainerStatus cs = mainStatus(pod);
        ContainerStateTerminated term =
                cs == null || cs.getState() == null ? null : cs.getState().getTerminated();
        if ("Succeeded".equals(phase) || "Failed".equals(phase) || term != null) {
            return fromEnd(pod, term);
        }
        if (cs != null && cs.getState() != null && cs.getState().getWaiting() != null) {
            ContainerStateWaiting w = cs.getState().getWaiting();
            if (IMAGE_PULL_ERRORS.contains(w.getReason())) {
                return AttemptOutcome.of(
                        Phase.FAILED,
                        Reasons.IMAGE_PULL_ERROR,
                        "image "
                                + cs.getImage()
                                + " cannot be pulled ("
                                + w.getReason()
                                + "): "
                                + Optional.ofNullable(w.getMessage()).orElse("")
                                + "; check spec.image or the operator's KUBETUNE_TRAINER_IMAGE");
            }
        }
        if ("Running".equals(phase)) {
            return AttemptOutcome.of(Phase.RUNNING, Reasons.TRAINER_RUNNING, "the trainer runs");
        }
        Optional<PodCondition> scheduled = podCondition(pod, "PodScheduled");
        if (scheduled.isPresent()
                && "False".equals(scheduled.get().getStatus())
                && "Unschedulable".equals(scheduled.get().getReason())) {
            // not a failure: a cluster autoscaler or a finishing job may make room
            return AttemptOutcome.of(
                    Phase.PENDING,
                    Reasons.UNSCHEDULABLE,
                    "no node can take the pod: " + scheduled.get().getMessage());
        }
        return null;
    }

    private static AttemptOutcome fromEnd(Pod pod, ContainerStateTerminated term) {
        AttemptOutcome disruption = disruption(pod);
        String raw = term == null ? null : term.getMessage();
        TrainerResult result = TerminationMessage.parse(raw);
        Integer exit = term == null ? null : term.getExitCode();
        if (exit != null && exit == TrainerContract.EXIT_SUCCEEDED) {
            return new AttemptOutcome(
                    Phase.SUCCEEDED, Reasons.COMPLETED, "training finished", result);
        }
        if (term != null && "OOMKilled".equals(term.getReason())) {
            return new AttemptOutcome(
                    Phase.FAILED,
                    Reasons.OOM_KILLED,
                    "the trainer used more than its memory limit (spec.resources.memory); raise"
                            + " it, or lower training.batchSize or cutoffLength",
                    result);
        }
        if (disruption != null) {
            return disruption;
        }
        String detail = TerminationMessage.line(result, raw);
        if (exit == null) {
            return AttemptOutcome.of(
                    Phase.RESUMABLE,
                    OperatorReasons.POD_KILLED,
                    "the pod ended without a container");
        }
        return switch (exit) {
            case TrainerContract.EXIT_FAILED ->
                    new AttemptOutcome(Phase.FAILED, Reasons.TRAINER_ERROR, detail, result);
            case TrainerContract.EXIT_INVALID_SPEC ->
                    new AttemptOutcome(Phase.FAILED, Reasons.INVALID_SPEC, detail, result);
            case TrainerContract.EXIT_NO_GPU ->
                    new AttemptOutcome(Phase.FAILED, Reasons.NO_GPU, noGpu(pod, detail), result);
            case TrainerContract.EXIT_RESUMABLE ->
                    new AttemptOutcome(
                            Phase.RESUMABLE,
                            OperatorReasons.TRAINER_INTERRUPTED,
                            "the trainer stopped after a checkpoint",
                            result);
            case 137, 143 ->
                    new AttemptOutcome(
                            Phase.RESUMABLE,
                            OperatorReasons.POD_KILLED,
                            "the trainer was killed (exit " + exit + ")",
                            result);
            default ->
                    new AttemptOutcome(
                            Phase.FAILED,
                            OperatorReasons.UNEXPECTED_EXIT,
                            "the trainer exited with " + exit + ": " + detail,
                            result);
        };
    }

    /** A retry on the same image and node pool would see no GPU either. */
    private static String noGpu(Pod pod, String detail) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return "the pod asked for a GPU and the trainer saw none"
                + (node == null ? "" : " on node " + node)
                + ": check that the image carries a CUDA libtorch (spec.image or the operator's"
                + " KUBETUNE_TRAINER_GPU_IMAGE), that the node's NVIDIA driver works and that the"
                + " NVIDIA device plugin runs there"
                + (detail == null || detail.isBlank() ? "" : " (trainer: " + detail + ")");
    }

    /** Eviction, preemption or node loss, from the pod's reason or DisruptionTarget condition. */
    private static AttemptOutcome disruption(Pod pod) {
        String podReason = pod.getStatus() == null ? null : pod.getStatus().getReason();
        if ("Evicted".equals(podReason)) {
            return AttemptOutcome.of(
                    Phase.RESUMABLE, Reasons.EVICTED, "the pod was evicted: " + podMessage(pod));
        }
        if ("NodeLost".equals(podReason)) {
            return AttemptOutcome.of(
                    Phase.RESUMABLE, OperatorReasons.NODE_LOST, "the node was lost");
        }
        Optional<PodCondition> target = podCondition(pod, "DisruptionTarget");
        if (target.isEmpty() || !"True".equals(target.get().getStatus())) {
            return null;
        }
        String why = target.get().getReason() + ": " + target.get().getMessage();
        return switch (String.valueOf(target.get().getReason())) {
            case "PreemptionByScheduler", "PreemptionByKubeScheduler" ->
                    AttemptOutcome.of(Phase.RESUMABLE, Reasons.PREEMPTED, "preempted: " + why);
            case "DeletionByTaintManager", "DeletionByPodGC" ->
                    AttemptOutcome.of(Phase.RESUMABLE, OperatorReasons.NODE_LOST, why);
            default -> AttemptOutcome.of(Phase.RESUMABLE, Reasons.EVICTED, "evicted: " + why);
        };
    }

    private static String podMessage(Pod pod) {
        return Optional.ofNullable(pod.getStatus().getMessage()).orElse("");
    }

    static ContainerStatus mainStatus(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(
                        c ->
                                io.kubetune.operator.desired.TrainerJobBuilder.CONTAINER.equals(
                                        c.getName()))
                .findFirst()
                .orElse(pod.getStatus().getContainerStatuses().stream().findFirst().orElse(null));
    }

    private static Optional<PodCondition> podCondition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }

    private static String created(Pod p) {
        return Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse("");
    }
}
