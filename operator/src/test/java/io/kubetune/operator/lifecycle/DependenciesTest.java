package io.kubetune.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobRef;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.RewardModelSource;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.operator.desired.TestJobs;
import io.kubetune.operator.lifecycle.Dependencies.Need;
import io.kubetune.operator.lifecycle.Dependencies.Ref;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a job's fineTuneJobRefs decide before its first attempt, with the messages a user reads:
 * wait (named), fail (the dependency failed, a cycle, another namespace, an output it never
 * writes), or start with the dependency's output URI.
 */
class DependenciesTest {
    /** The namespace's FineTuneJobs by name. */
    private final Map<String, FineTuneJob> jobs = new HashMap<>();

    record Row(
            String what,
            Consumer<DependenciesTest> given,
            List<Ref> refs,
            String reason,
            String message) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row(
                        "not there yet",
                        t -> {},
                        model("sft"),
                        Reasons.WAITING_FOR_DEPENDENCY,
                        "spec.model.fineTuneJobRef: waiting for FineTuneJob sft, which does not"
                                + " exist (yet)"),
                new Row(
                        "running",
                        t -> t.job("sft", JobState.Running, j -> {}),
                        model("sft"),
                        Reasons.WAITING_FOR_DEPENDENCY,
                        "spec.model.fineTuneJobRef: waiting for FineTuneJob sft (Running) to"
                                + " succeed"),
                new Row(
                        "failed",
                        t -> t.job("sft", JobState.Failed, j -> {}),
                        model("sft"),
                        Reasons.DEPENDENCY_FAILED,
                        "spec.model.fineTuneJobRef: FineTuneJob sft failed: OOMKilled in attempt"
                                + " 1"),
                new Row(
                        "succeeded without its model",
                        t ->
                                t.job(
                                        "sft",
                                        JobState.Succeeded,
                                        j -> j.getStatus().mergedModelUri = null),
                        model("sft"),
                        Reasons.DEPENDENCY_FAILED,
                        "spec.model.fineTuneJobRef: FineTuneJob sft succeeded without writing a"
                                + " model (status.mergedModelUri is empty)"),
                new Row(
                        "LoRA without mergeModel",
                        t ->
                                t.job(
                                        "sft",
                                        JobState.Running,
                                        j -> j.getSpec().output.mergeModel = false),
                        model("sft"),
                        Reasons.INVALID_SPEC,
                        "spec.model.fineTuneJobRef: FineTuneJob sft writes only a LoRA adapter, no"
                                + " model to start from; set spec.output.mergeModel: true on it"),
                new Row(
                        "reward model of stage sft",
                        t -> t.job("sft", JobState.Succeeded, j -> {}),
                        List.of(
                                new Ref(
                                        Dependencies.REWARD_MODEL,
                                        ref("sft", null),
                                        Need.REWARD_MODEL)),
                        Reasons.INVALID_SPEC,
                        "spec.rewardModel.fineTuneJobRef: FineTuneJob sft has stage sft, so its"
                                + " model has no score head; name a FineTuneJob of stage rm"),
                new Row(
                        "adapter of a full fine-tune",
                        t ->
                                t.job(
                                        "sft",
                                        JobState.Succeeded,
                                        j -> j.getSpec().method.type = MethodType.FULL),
                        List.of(new Ref(Dependencies.ADAPTER, ref("sft", null), Need.ADAPTER)),
                        Reasons.INVALID_SPEC,
                        "spec.adapter.fineTuneJobRef: FineTuneJob sft trains all weights (method"
                                + " full), so it writes no adapter; use its model"
                                + " (spec.model.fineTuneJobRef)"),
                new Row(
                        "another namespace",
                        t -> t.job("sft", JobState.Succeeded, j -> {}),
                        List.of(new Ref(Dependencies.MODEL, ref("sft", "team-b"), Need.MODEL)),
                        Reasons.INVALID_SPEC,
                        "spec.model.fineTuneJobRef.namespace: team-b is not this job's namespace"
                                + " (team-a); a job starts only from FineTuneJobs of its own"
                                + " namespace: remove the namespace, or copy that job's output URI"
                                + " into the uri field"),
                new Row(
                        "a cycle through the reward model",
                        t -> {
                            t.job("rm", JobState.Pending, j -> j.getSpec().stage = Stage.RM);
                            t.job("sft", JobState.Pending, j -> startFrom(j, "ppo"));
                            t.jobs.get("rm").getSpec().model.uri = null;
                            t.jobs.get("rm").getSpec().model.fineTuneJobRef = ref("sft", null);
                        },
                        List.of(
                                new Ref(
                                        Dependencies.REWARD_MODEL,
                                        ref("rm", null),
                                        Need.REWARD_MODEL)),
                        Reasons.INVALID_SPEC,
                        "spec.rewardModel.fineTuneJobRef: ppo -> rm -> sft -> ppo is a cycle: no"
                                + " job of it can start; remove one of the references"),
                new Row(
                        "waits for the first of two that is not done",
                        t -> {
                            t.job("sft", JobState.Succeeded, j -> {});
                            t.job("rm", JobState.Running, j -> j.getSpec().stage = Stage.RM);
                        },
                        List.of(
                                new Ref(Dependencies.MODEL, ref("sft", null), Need.MODEL),
                                new Ref(
                                        Dependencies.REWARD_MODEL,
                                        ref("rm", null),
                                        Need.REWARD_MODEL)),
                        Reasons.WAITING_FOR_DEPENDENCY,
                        "spec.rewardModel.fineTuneJobRef: waiting for FineTuneJob rm (Running) to"
                                + " succeed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void blocks(Row row) {
        row.given().accept(this);

        Dependencies.Check check = Dependencies.check("team-a", "ppo", row.refs(), jobs::get);

        assertThat(check.ready()).isFalse();
        String reason =
                check.blocked().waitReason() != null
                        ? check.blocked().waitReason()
                        : check.blocked().failReason();
        assertThat(reason).isEqualTo(row.reason());
        assertThat(check.blocked().message()).isEqualTo(row.message());
    }

    @Test
    void aSucceededChainGivesEachOutputsUri() {
        job("sft", JobState.Succeeded, j -> {});
        job("rm", JobState.Succeeded, j -> j.getSpec().stage = Stage.RM);
        FineTuneJob ppo = TestJobs.cpuFineTuneJob();
        startFrom(ppo, "sft");
        ppo.getSpec().rewardModel = new RewardModelSource();
        ppo.getSpec().rewardModel.fineTuneJobRef = ref("rm", null);

        Dependencies.Check check =
                Dependencies.check("team-a", "ppo", Dependencies.of(ppo.getSpec()), jobs::get);

        assertThat(check.ready()).isTrue();
        assertThat(check.resolved().get(Dependencies.MODEL).uri())
                .isEqualTo("s3://models/sft/merged");
        assertThat(check.resolved().get(Dependencies.REWARD_MODEL).uri())
                .isEqualTo("s3://models/rm/merged");
        assertThat(check.resolved().get(Dependencies.REWARD_MODEL).from().getMetadata().getName())
                .isEqualTo("rm");
    }

    @Test
    void anAdapterIsUsedOnceWrittenEvenWhileItsJobStillEvaluates() {
        job("sft", JobState.Evaluating, j -> j.getStatus().adapterUri = "s3://models/sft/adapter");

        Dependencies.Check check =
                Dependencies.check(
                        "team-a",
                        null,
                        List.of(new Ref(Dependencies.ADAPTER, ref("sft", null), Need.ADAPTER)),
                        jobs::get);

        assertThat(check.resolved().get(Dependencies.ADAPTER).uri())
                .isEqualTo("s3://models/sft/adapter");
    }

    @Test
    void aCycleElsewhereDoesNotLoopOrBlameThisJob() {
        job("a", JobState.Pending, j -> startFrom(j, "b"));
        job("b", JobState.Pending, j -> startFrom(j, "a"));

        Dependencies.Check check = Dependencies.check("team-a", "ppo", model("a"), jobs::get);

        assertThat(check.blocked().waitReason()).isEqualTo(Reasons.WAITING_FOR_DEPENDENCY);
    }

    @Test
    void aLaterAttemptDoesNotWaitForADependencyDeletedSinceTheFirst() {
        Dependencies.Check check =
                Dependencies.checkLaterAttempt("team-a", "ppo", model("sft"), jobs::get);

        assertThat(check.ready()).isTrue();
        assertThat(check.resolved()).isEmpty();
    }

    private void job(String name, JobState state, Consumer<FineTuneJob> change) {
        FineTuneJob job = TestJobs.cpuFineTuneJob();
        job.getMetadata().setName(name);
        job.getSpec().output.mergeModel = true;
        job.setStatus(new FineTuneJobStatus());
        job.getStatus().state = state;
        if (state == JobState.Succeeded) {
            job.getStatus().mergedModelUri = "s3://models/" + name + "/merged";
        }
        if (state == JobState.Failed) {
            job.getStatus().message = "OOMKilled in attempt 1";
        }
        change.accept(job);
        jobs.put(name, job);
    }

    private static void startFrom(FineTuneJob job, String name) {
        job.getSpec().model.uri = null;
        job.getSpec().model.fineTuneJobRef = ref(name, null);
    }

    private static List<Ref> model(String name) {
        return List.of(new Ref(Dependencies.MODEL, ref(name, null), Need.MODEL));
    }

    private static FineTuneJobRef ref(String name, String namespace) {
        FineTuneJobRef ref = new FineTuneJobRef();
        ref.name = name;
        ref.namespace = namespace;
        return ref;
    }
}
