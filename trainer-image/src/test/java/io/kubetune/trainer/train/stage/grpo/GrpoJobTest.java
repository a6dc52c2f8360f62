package io.kubetune.trainer.train.stage.grpo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.GrpoSpec;
import io.kubetune.api.v1alpha1.RewardModelSource;
import io.kubetune.api.v1alpha1.RuleReward;
import io.kubetune.api.v1alpha1.RuleRewardType;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TinyJob;
import io.kubetune.trainer.train.stage.Stages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole stage-grpo job on the tiny llama under LoRA with a KL term: it runs and reports. */
class GrpoJobTest {
    @TempDir Path dir;

    @Test
    void loraJobSamplesRewardsAndReportsTrlsMetrics() throws Exception {
        FineTuneJobSpec spec = spec(3);
        Stages.validate(spec);
        TinyJob.Ran ran =
                TinyJob.run(
                        spec,
                        GrpoParityTest.LLAMA,
                        GrpoParityTest.DIR.resolve("prompts.jsonl"),
                        dir.resolve("out"));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(outcome.finished()).isTrue();
        assertThat(steps).hasSize(3);
        for (StepResult step : steps) {
            assertThat(step.loss()).isFinite();
            assertThat(step.metrics())
                    .containsKeys(
                            "reward",
                            "reward_std",
                            "frac_reward_zero_std",
                            "rewards/exactMatch/mean",
                            "rewards/regex/mean",
                            "rewards/lengthPenalty/mean",
                            "kl",
                            "entropy",
                            "clip_ratio/region_mean",
                            "completions/mean_length",
                            "completions/clipped_ratio");
            assertThat(step.metrics().get("completions/mean_length")).isBetween(1.0, 6.0);
            assertThat(step.metrics().get("rewards/lengthPenalty/mean")).isBetween(-1.0, 0.0);
        }
        // The reference is the base: no KL before the first update, some after.
        assertThat(steps.get(0).metrics().get("kl"))
                .isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(steps.get(2).metrics().get("kl")).isPositive();
        List<String> generations = Files.readAllLines(dir.resolve("out/generations.jsonl"));
        assertThat(generations).anyMatch(l -> l.contains("\"stage\":\"rollout\""));
    }

    @Test
    void rewardModelAloneRewardsTheRollouts() throws Exception {
        FineTuneJobSpec spec = spec(2);
        spec.grpo.rewards = null;
        spec.grpo.rewardModelWeight = "0.5";
        spec.rewardModel = new RewardModelSource();
        spec.rewardModel.uri = "s3://models/reward-model";
        Stages.validate(spec);
        Path rm = GrpoParityTest.DIR.resolve("reward-model");
        TinyJob.Ran ran =
                TinyJob.run(
                        spec,
                        new FineTuneRun.Inputs(
                                        GrpoParityTest.LLAMA,
                                        List.of(GrpoParityTest.DIR.resolve("prompts.jsonl")),
                                        null)
                                .withRewardModel(rm),
                        dir.resolve("out"),
                        List.of());

        assertThat(ran.outcome().finished()).isTrue();
        assertThat(ran.steps()).hasSize(2);
        for (StepResult step : ran.steps()) {
            assertThat(step.loss()).isFinite();
            double score = step.metrics().get("rewards/reward-model/mean");
            // The reward is the reward model's score times its weight, nothing else.
            assertThat(step.metrics().get("reward"))
                    .isCloseTo(0.5 * score, org.assertj.core.api.Assertions.within(1e-5));
            assertThat(step.metrics().get("reward_std")).isPositive();
        }
    }

    @Test
    void aRewardModelWithoutTokenizerIsRefusedNamingTheField() {
        FineTuneJobSpec spec = spec(1);
        spec.rewardModel = new RewardModelSource();
        spec.rewardModel.uri = "s3://models/rm/merged";
        // A merged reward model with a score head but no tokenizer.json.
        Path rm = Path.of("src/test/resources/fixtures/reward/llama");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                TinyJob.run(
                                        spec,
                                        new FineTuneRun.Inputs(
                                                        GrpoParityTest.LLAMA,
                                                        List.of(
                                                                GrpoParityTest.DIR.resolve(
                                                                        "prompts.jsonl")),
                                                        null)
                                                .withRewardModel(rm),
                                        dir.resolve("out"),
                                        List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "spec.rewardModel.uri: s3://models/rm/merged has no" + " tokenizer.json");
    }

    @Test
    void noRewardAtAllIsRefusedNamingTheField() {
        FineTuneJobSpec spec = spec(1);
        spec.grpo.rewards = List.of();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Stages.validate(spec))
                .hasMessageStartingWith("spec.grpo.rewards: none given and no spec.rewardModel");
    }

    @Test
    void aRewardModelWeightWithoutARewardModelIsRefusedNamingTheField() {
        FineTuneJobSpec spec = spec(1);
        spec.grpo.rewardModelWeight = "0.5";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Stages.validate(spec))
                .hasMessageStartingWith(
                        "spec.grpo.rewardModelWeight: 0.5 weighs a reward model, but there is no"
                                + " spec.rewardModel");
        spec.grpo.rewardModelWeight = "1";
        Stages.validate(spec); // the CRD's default, not a choice of the user
    }

    private static FineTuneJobSpec spec(int steps) {
        FineTuneJobSpec spec =
                TinyJob.spec(Stage.GRPO, DataFormat.PROMPT, "prompts.jsonl", steps, 8, "1e-2");
        spec.grpo = new GrpoSpec();
        spec.grpo.numGenerations = 4;
        spec.grpo.maxCompletionLength = 6;
        spec.grpo.beta = "0.04";
        spec.grpo.temperature = "0.9";
        spec.grpo.rewards =
                List.of(
                        reward(RuleRewardType.EXACT_MATCH, "1", null),
                        reward(RuleRewardType.REGEX, "0.5", "[0-9]"),
                        reward(RuleRewardType.LENGTH_PENALTY, "0.1", null));
        return spec;
    }

    private static RuleReward reward(RuleRewardType type, String weight, String pattern) {
        RuleReward r = new RuleReward();
        r.type = type;
        r.weight = weight;
        r.pattern = pattern;
        return r;
    }
}
