package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobRef;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.operator.desired.Labels;
import io.kubetune.operator.desired.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** What the decisions see, built as a test reads it: a job, its Jobs and their pods, the time. */
final class Cluster {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant NOW = T0.plus(Duration.ofMinutes(10));

    final FineTuneJob owner = TestJobs.cpuFineTuneJob();
    final FineTuneJobStatus status = new FineTuneJobStatus();
    final List<Job> jobs = new ArrayList<>();
    final List<Pod> pods = new ArrayList<>();
    final Map<String, FineTuneJob> others = new HashMap<>();

    Cluster spec(Consumer<FineTuneJobSpec> change) {
        change.accept(owner.getSpec());
        return this;
    }

    Cluster ended(JobState state, Duration ago) {
        status.state = state;
        status.startTime = T0.toString();
        status.completionTime = NOW.minus(ago).toString();
        return this;
    }

    /** Attempt {@code n}'s Job, annotated with {@code outcome} (or not, when null). */
    Cluster job(int n, String outcome, UnaryOperator<JobBuilder> more) {
        JobBuilder b =
                new JobBuilder()
                        .withNewMetadata()
                        .withName("moby-ftj-" + n)
                        .withUid("job-" + n)
                        .withCreationTimestamp(T0.plusSeconds(60L * n).toString())
                        .addToLabels(Labels.ATTEMPT, Integer.toString(n))
                        .endMetadata()
                        .withNewSpec()
                        .withSuspend(false)
                        .endSpec();
        if (outcome != null) {
            b.editMetadata().addToAnnotations(Attempts.OUTCOME, outcome).endMetadata();
        }
        jobs.add(more.apply(b).build());
        return this;
    }

    Cluster job(int n) {
        return job(n, null, b -> b);
    }

    /** A pod of attempt {@code n}. */
    Cluster pod(int n, UnaryOperator<PodBuilder> state) {
        PodBuilder b =
                new PodBuilder()
                        .withNewMetadata()
                        .withName("moby-ftj-" + n + "-x")
                        .withCreationTimestamp(T0.plusSeconds(60L * n).toString())
                        .addNewOwnerReference()
                        .withUid("job-" + n)
                        .withName("moby-ftj-" + n)
                        .endOwnerReference()
                        .endMetadata()
                        .withNewStatus()
                        .withPhase("Pending")
                        .endStatus();
        pods.add(state.apply(b).build());
        return this;
    }

    /** This job starts from the model of FineTuneJob {@code name}. */
    Cluster startsFrom(String name) {
        FineTuneJobRef ref = new FineTuneJobRef();
        ref.name = name;
        owner.getSpec().model.uri = null;
        owner.getSpec().model.fineTuneJobRef = ref;
        return this;
    }

    /**
     * Another FineTuneJob of the namespace (a dependency) in {@code state}; with {@code startsFrom}
     * it starts from that one's model. It merges its LoRA adapter into a model, as a dependency
     * must.
     */
    Cluster other(String name, JobState state, String startsFrom) {
        FineTuneJob job = TestJobs.cpuFineTuneJob();
        job.getMetadata().setName(name);
        job.getSpec().output.mergeModel = true;
        if (startsFrom != null) {
            job.getSpec().model.uri = null;
            job.getSpec().model.fineTuneJobRef = new FineTuneJobRef();
            job.getSpec().model.fineTuneJobRef.name = startsFrom;
        }
        job.setStatus(new FineTuneJobStatus());
        job.getStatus().state = state;
        if (state == JobState.Succeeded) {
            job.getStatus().mergedModelUri = "s3://models/" + name + "/merged";
        }
        if (state == JobState.Failed) {
            job.getStatus().message = "attempt 1 failed: TrainerError";
        }
        others.put(name, job);
        return this;
    }

    /** Makes the dependency {@code name} a LoRA job that wrote its adapter and no merged model. */
    Cluster adapterOnly(String name) {
        FineTuneJob job = others.get(name);
        job.getSpec().output.mergeModel = false;
        job.getStatus().mergedModelUri = null;
        job.getStatus().adapterUri = "s3://models/" + name + "/adapter";
        return this;
    }

    /** What the launch of the first attempt is prepared with: the dependencies checked. */
    Preparation preparation() {
        Dependencies.Check check =
                Dependencies.check(
                        owner.getMetadata().getNamespace(),
                        owner.getMetadata().getName(),
                        Dependencies.of(owner.getSpec()),
                        others::get);
        return check.ready() ? null : check.blocked();
    }

    Observation observation() {
        if (status.startTime == null && !jobs.isEmpty()) {
            status.startTime = T0.toString();
        }
        return new Observation(
                owner, owner.getSpec(), status, jobs, pods, NOW, Duration.ofSeconds(60));
    }

    static PodBuilder running(PodBuilder b) {
        return b.editStatus().withPhase("Running").endStatus();
    }

    static UnaryOperator<PodBuilder> exited(int code, String reason) {
        return b ->
                b.editStatus()
                        .withPhase(code == 0 ? "Succeeded" : "Failed")
                        .addNewContainerStatus()
                        .withName("trainer")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(code)
                        .withReason(reason)
                        .withMessage("{\"error\":\"the trainer says why\"}")
                        .endTerminated()
                        .endState()
                        .endContainerStatus()
                        .endStatus();
    }

    static UnaryOperator<PodBuilder> waiting(String reason) {
        return b ->
                b.editStatus()
                        .addNewContainerStatus()
                        .withName("trainer")
                        .withImage("registry.invalid/trainer:1")
                        .withNewState()
                        .withNewWaiting()
                        .withReason(reason)
                        .endWaiting()
                        .endState()
                        .endContainerStatus()
                        .endStatus();
    }

    static UnaryOperator<PodBuilder> condition(String type, String status, String reason) {
        return b ->
                b.editStatus()
                        .addNewCondition()
                        .withType(type)
                        .withStatus(status)
                        .withReason(reason)
                        .withMessage(reason + " happened")
                        .endCondition()
                        .endStatus();
    }

    /** Ended by the control plane: a DisruptionTarget condition on a failed pod. */
    static UnaryOperator<PodBuilder> disrupted(String reason) {
        return b ->
                condition("DisruptionTarget", "True", reason)
                        .apply(b.editStatus().withPhase("Failed").endStatus());
    }

    static UnaryOperator<PodBuilder> podReason(String reason) {
        return b -> b.editStatus().withPhase("Failed").withReason(reason).endStatus();
    }

    static UnaryOperator<JobBuilder> jobCondition(String type, String reason) {
        return b ->
                b.withNewStatus()
                        .addNewCondition()
                        .withType(type)
                        .withStatus("True")
                        .withReason(reason)
                        .withMessage(reason)
                        .endCondition()
                        .endStatus();
    }

    static UnaryOperator<JobBuilder> heldByKueue() {
        return b -> b.editSpec().withSuspend(true).endSpec();
    }
}
