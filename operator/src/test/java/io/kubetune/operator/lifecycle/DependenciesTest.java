package io.kubetune.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobRef;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.RewardModelSource;
import io.kubetune.api.v1alpha1.SecretReference;
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
                        "LoRA without mergeModel, running: waits for its adapter",
                        t ->
                                t.job(
                                        "sft",
                                        JobState.Running,
                                        j -> j.getSpec().output.mergeModel = false),
                        model("sft"),
                        Reasons.WAITING_FOR_DEPENDENCY,
                        "spec.model.fineTuneJobRef: waiting for FineTuneJob sft (Running) to"
                                + " succeed"),
                new Row(
                        "LoRA without mergeModel succeeded without its adapter",
                        t -> t.adapterOnly("sft", null, j -> j.getStatus().adapterUri = null),
                        model("sft"),
                        Reasons.DEPENDENCY_FAILED,
                        "spec.model.fineTuneJobRef: FineTuneJob sft succeeded without writing an"
                                + " adapter (status.adapterUri is empty)"),
                new Row(
                        "LoRA adapter trained on another LoRA adapter",
                        t -> {
                            t.adapterOnly("base", null, j -> {});
                            t.adapterOnly("sft", "base", j -> {});
                        },
                        model("sft"),
                        Reasons.INVALID_SPEC,
                        "spec.model.fineTuneJobRef: FineTuneJob sft trained its LoRA adapter on"
                                + " top of the adapter of FineTuneJob base, and a job starts from"
                                + " one adapter only; set spec.output.mergeModel: true on sft"),
                new Row(
                        "LoRA adapter whose base job is gone",
                        t -> t.adapterOnly("sft", "deleted", j -> {}),
                        model("sft"),
                        Reasons.DEPENDENCY_FAILED,
                        "spec.model.fineTuneJobRef: the base of FineTuneJob sft is FineTuneJob"
                                + " deleted, which no longer exists; set spec.output.mergeModel:"
                                + " true on sft and run it again"),
                new Row(
                        "prompt tuning: nothing to merge",
                        t ->
                                t.job(
                                        "sft",
                                        JobState.Succeeded,
                                        j -> j.getSpec().method.type = MethodType.PROMPT_TUNING),
                        model("sft"),
                        Reasons.INVALID_SPEC,
                        "spec.model.fineTuneJobRef: FineTuneJob sft trains a prompt_tuning adapter"
                                + " (virtual tokens), which cannot be merged into a model to start"
                                + " from; train it with method lora, or start from its spec.model"),
                new Row(
                        "reward model that is only a LoRA adapter, trained on another model",
                        t ->
                                t.adapterOnly(
                                        "rm",
                                        null,
                                        j -> {
                                            j.getSpec().stage = Stage.RM;
                                            j.getSpec().model.uri = "s3://models/other";
                                        }),
                        reward("rm", uri("s3://models/tiny-llama")),
                        Reasons.INVALID_SPEC,
                        "spec.rewardModel.fineTuneJobRef: FineTuneJob rm writes only a LoRA"
                                + " adapter, which the trainer applies to this job's base model,"
                                + " but rm trained on s3://models/other and this job starts from"
                                + " s3://models/tiny-llama; set spec.output.mergeModel: true on"
                                + " rm, or start both jobs from the same model"),
                new Row(
                        "reward adapter trained on one sft job, policy from another",
                        t -> {
                            t.job("sft", JobState.Succeeded, j -> {});
                            t.job("sft2", JobState.Succeeded, j -> {});
                            t.adapterOnly("rm", "sft", j -> j.getSpec().stage = Stage.RM);
                        },
                        reward("rm", from("sft2")),
                        Reasons.INVALID_SPEC,
                        "spec.rewardModel.fineTuneJobRef: FineTuneJob rm writes only a LoRA"
                                + " adapter, which the trainer applies to this job's base model,"
                                + " but rm trained on the model of FineTuneJob sft"
                                + " (s3://models/sft/merged) and this job starts from the model of"
                                + " FineTuneJob sft2 (s3://models/sft2/merged); set"
                                + " spec.output.mergeModel: true on rm, or start both jobs from"
                                + " the same model"),
                new Row(
                        "reward adapter while the policy is a base plus an sft adapter",
                        t -> {
                            t.adapterOnly("sft", null, j -> {});
                            t.adapterOnly("rm", "sft", j -> j.getSpec().stage = Stage.RM);
                        },
                        reward("rm", from("sft")),
                        Reasons.INVALID_SPEC,
                        "spec.rewardModel.fineTuneJobRef: FineTuneJob rm writes only a LoRA"
                                + " adapter, which the trainer applies to this job's base model,"
                                + " but this job starts from the base plus the adapter of"
                                + " FineTuneJob sft, which has no spec.output.mergeModel; set"
                                + " spec.output.mergeModel: true on sft (the policy's model) or on"
                                + " rm"),
                new Row(
                        "reward adapter while the policy has spec.model.adapter",
                        t -> t.adapterOnly("rm", null, j -> j.getSpec().stage = Stage.RM),
                        reward("rm", withAdapter(uri("s3://models/tiny-llama"))),
                        Reasons.INVALID_SPEC,
                        "spec.rewardModel.fineTuneJobRef: FineTuneJob rm writes only a LoRA"
                                + " adapter, which the trainer applies to this job's base model,"
                                + " but this job starts from a base plus an adapter"
                                + " (spec.model.adapter); set spec.output.mergeModel: true on rm,"
                                + " or start this job from a merged model"),
                new Row(
                        "reward adapter still training: waits for it",
                        t ->
                                t.job(
                                        "rm",
                                        JobState.Running,
                                        j -> {
                                            j.getSpec().stage = Stage.RM;
                                            j.getSpec().output.mergeModel = false;
                                        }),
                        reward("rm", uri("s3://models/tiny-llama")),
                        Reasons.WAITING_FOR_DEPENDENCY,
                        "spec.rewardModel.fineTuneJobRef: waiting for FineTuneJob rm (Running) to"
                                + " succeed"),
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

    @Test
    void aLoraJobWithoutMergedModelIsStartedFromAsItsBasePlusItsAdapter() {
        adapterOnly("sft", null, j -> {});

        Dependencies.Check check = Dependencies.check("team-a", "rm", model("sft"), jobs::get);

        assertThat(check.ready()).isTrue();
        Dependencies.Resolved resolved = check.resolved().get(Dependencies.MODEL);
        assertThat(resolved.uri()).as("sft's own base").isEqualTo("s3://models/tiny-llama");
        assertThat(resolved.adapterUri()).isEqualTo("s3://models/sft/adapter");
        ModelSource file = new ModelSource();
        file.fineTuneJobRef = ref("sft", null);
        resolved.writeModel(file);
        assertThat(file.uri).isEqualTo("s3://models/tiny-llama");
        assertThat(file.adapter.uri).isEqualTo("s3://models/sft/adapter");
        assertThat(file.fineTuneJobRef).isNull();
        assertThat(resolved.baseSecret())
                .as("the secret sft read its base with, needed again to read that base")
                .contains("hf-token");
    }

    @Test
    void theBaseOfALoraJobStartedFromAMergedModelIsThatModel() {
        job("full", JobState.Succeeded, j -> j.getSpec().method.type = MethodType.FULL);
        adapterOnly(
                "sft",
                "full",
                j -> {
                    j.getSpec().model.secretRef = new SecretReference();
                    j.getSpec().model.secretRef.name = "hub-token";
                });

        Dependencies.Resolved resolved =
                Dependencies.check("team-a", "rm", model("sft"), jobs::get)
                        .resolved()
                        .get(Dependencies.MODEL);

        assertThat(resolved.uri()).isEqualTo("s3://models/full/merged");
        assertThat(resolved.adapterUri()).isEqualTo("s3://models/sft/adapter");
        assertThat(resolved.baseSecret())
                .as("a base that is another job's output needs no secret of sft's model")
                .isEmpty();
    }

    @Test
    void aMergedDependencyIsStartedFromWithoutAnAdapter() {
        job("sft", JobState.Succeeded, j -> j.getStatus().adapterUri = "s3://models/sft/adapter");

        Dependencies.Resolved resolved =
                Dependencies.check("team-a", "rm", model("sft"), jobs::get)
                        .resolved()
                        .get(Dependencies.MODEL);

        assertThat(resolved.uri()).isEqualTo("s3://models/sft/merged");
        assertThat(resolved.adapterUri()).isNull();
    }

    @Test
    void aRewardAdapterTrainedOnThePolicysModelIsGivenAsItsAdapterUri() {
        adapterOnly("rm", null, j -> j.getSpec().stage = Stage.RM);

        Dependencies.Check check =
                Dependencies.check(
                        "team-a", "ppo", reward("rm", uri("s3://models/tiny-llama")), jobs::get);

        assertThat(check.ready()).isTrue();
        Dependencies.Resolved resolved = check.resolved().get(Dependencies.REWARD_MODEL);
        assertThat(resolved.uri())
                .as("the trainer applies rm's adapter to the policy's base")
                .isEqualTo("s3://models/rm/adapter");
        assertThat(resolved.adapterUri()).isNull();
    }

    @Test
    void sftThenAnAdapterOnlyRmThenPpoFromTheSameSft() {
        job("sft", JobState.Succeeded, j -> {});
        adapterOnly("rm", "sft", j -> j.getSpec().stage = Stage.RM);
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
                .isEqualTo("s3://models/rm/adapter");
    }

    @Test
    void aRewardAdapterTrainedOnTheUriThePolicysJobWroteFits() {
        job("sft", JobState.Succeeded, j -> {});
        adapterOnly(
                "rm",
                null,
                j -> {
                    j.getSpec().stage = Stage.RM;
                    j.getSpec().model.uri = "s3://models/sft/merged";
                });

        Dependencies.Check check =
                Dependencies.check(
                        "team-a",
                        "ppo",
                        List.of(
                                new Ref(Dependencies.MODEL, ref("sft", null), Need.MODEL),
                                reward("rm", from("sft")).get(0)),
                        jobs::get);

        assertThat(check.ready()).isTrue();
        assertThat(check.resolved().get(Dependencies.REWARD_MODEL).uri())
                .isEqualTo("s3://models/rm/adapter");
    }

    @Test
    void aRewardAdapterWaitsWithThePolicyForThePolicysJob() {
        job("sft", JobState.Running, j -> {});
        adapterOnly(
                "rm",
                null,
                j -> {
                    j.getSpec().stage = Stage.RM;
                    j.getSpec().model.uri = "s3://models/sft/merged";
                });

        Dependencies.Check check =
                Dependencies.check(
                        "team-a",
                        "ppo",
                        List.of(
                                new Ref(Dependencies.MODEL, ref("sft", null), Need.MODEL),
                                reward("rm", from("sft")).get(0)),
                        jobs::get);

        assertThat(check.blocked().waitReason()).isEqualTo(Reasons.WAITING_FOR_DEPENDENCY);
        assertThat(check.blocked().message())
                .isEqualTo(
                        "spec.model.fineTuneJobRef: waiting for FineTuneJob sft (Running) to"
                                + " succeed");
    }

    private static List<Ref> reward(String name, ModelSource policy) {
        return List.of(
                new Ref(Dependencies.REWARD_MODEL, ref(name, null), Need.REWARD_MODEL, policy));
    }

    private static ModelSource uri(String uri) {
        ModelSource model = new ModelSource();
        model.uri = uri;
        return model;
    }

    private static ModelSource from(String job) {
        ModelSource model = new ModelSource();
        model.fineTuneJobRef = ref(job, null);
        return model;
    }

    private static ModelSource withAdapter(ModelSource model) {
        model.adapter = new io.kubetune.api.v1alpha1.AdapterSource();
        model.adapter.uri = "s3://models/other-sft/adapter";
        return model;
    }

    /** A LoRA job without output.mergeModel that succeeded: an adapter, no merged model. */
    private void adapterOnly(String name, String startsFrom, Consumer<FineTuneJob> change) {
        job(
                name,
                JobState.Succeeded,
                j -> {
                    j.getSpec().output.mergeModel = false;
                    j.getStatus().mergedModelUri = null;
                    j.getStatus().adapterUri = "s3://models/" + name + "/adapter";
                    if (startsFrom != null) {
                        startFrom(j, startsFrom);
                    }
                    change.accept(j);
                });
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
