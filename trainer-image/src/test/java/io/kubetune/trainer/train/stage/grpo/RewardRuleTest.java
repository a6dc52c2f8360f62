package io.kubetune.trainer.train.stage.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.GrpoSpec;
import io.kubetune.api.v1alpha1.RuleReward;
import io.kubetune.api.v1alpha1.RuleRewardType;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.train.stage.Stages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in rewards, and the spec checks of stage grpo. */
class RewardRuleTest {
    private static final Map<String, String> ANSWER = Map.of("answer", " a small feline ");

    @Test
    void exactMatchComparesTrimmedText() {
        RewardRule rule = RewardRule.of(reward(RuleRewardType.EXACT_MATCH, null), 8);
        assertThat(rule.score("a small feline\n", 4, ANSWER)).isEqualTo(1);
        assertThat(rule.score("A small feline", 4, ANSWER)).isEqualTo(0);
        assertThat(rule.score("a small feline", 4, Map.of())).isEqualTo(0);
    }

    @Test
    void numericMatchReadsTheLastNumberOfEach() {
        RewardRule rule = RewardRule.of(reward(RuleRewardType.NUMERIC_MATCH, null), 8);
        Map<String, String> answer = Map.of("answer", "#### 1,234");
        assertThat(rule.score("First 3, so the total is 1234.", 9, answer)).isEqualTo(1);
        assertThat(rule.score("1234 or 1235", 4, answer)).isEqualTo(0);
        assertThat(rule.score("no number", 2, answer)).isEqualTo(0);
        assertThat(rule.score("-2.50", 2, Map.of("answer", "-2.5"))).isEqualTo(1);
    }

    @Test
    void regexIsSearchedAndLengthPenaltyScalesByTheLimit() {
        RewardRule format = RewardRule.of(reward(RuleRewardType.REGEX, "^<think>.*</think>"), 8);
        assertThat(format.score("<think>\nhm\n</think> 4", 6, Map.of())).isEqualTo(1);
        assertThat(format.score("4 <think></think>", 6, Map.of())).isEqualTo(0);
        RewardRule length = RewardRule.of(reward(RuleRewardType.LENGTH_PENALTY, null), 8);
        assertThat(length.score("x", 2, Map.of())).isEqualTo(-0.25);
    }

    @Test
    void specsThatCannotRunAreRefusedNamingTheField() {
        assertThatThrownBy(() -> Stages.validate(job(List.of(), 8, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.grpo.rewards: none given");
        RuleReward exact = reward(RuleRewardType.EXACT_MATCH, null);
        assertThatThrownBy(() -> Stages.validate(job(List.of(exact), 6, 4)))
                .hasMessageStartingWith("spec.training.batchSize: 6 completions");
        assertThatThrownBy(() -> Stages.validate(job(List.of(exact), 8, 1)))
                .hasMessageStartingWith("spec.grpo.numGenerations: 1");
        RuleReward broken = reward(RuleRewardType.REGEX, "([a-z]");
        assertThatThrownBy(() -> Stages.validate(job(List.of(broken), 8, 4)))
                .hasMessageStartingWith("spec.grpo.rewards[0].pattern: ([a-z] is not");
        FineTuneJobSpec wideTopP = job(List.of(exact), 8, 4);
        wideTopP.grpo.topP = "1.5";
        assertThatThrownBy(() -> Stages.validate(wideTopP))
                .hasMessageStartingWith("spec.grpo.topP: 1.5 is not in (0, 1]");
        FineTuneJobSpec frozen = job(List.of(exact), 8, 4);
        frozen.grpo.temperature = "0";
        assertThatThrownBy(() -> Stages.validate(frozen))
                .hasMessageStartingWith("spec.grpo.temperature: 0 must be above 0");
        FineTuneJobSpec alpaca = job(List.of(exact), 8, 4);
        alpaca.datasets.get(0).format = DataFormat.ALPACA;
        assertThatThrownBy(() -> Stages.validate(alpaca))
                .hasMessageStartingWith("spec.datasets[0].format");
        assertThat(Stages.validate(job(List.of(exact), 8, 4))).isInstanceOf(GrpoStage.class);
    }

    private static FineTuneJobSpec job(List<RuleReward> rewards, int batch, int generations) {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.stage = Stage.GRPO;
        DatasetSpec data = new DatasetSpec();
        data.format = DataFormat.PROMPT;
        spec.datasets = List.of(data);
        spec.grpo = new GrpoSpec();
        spec.grpo.rewards = rewards;
        spec.grpo.numGenerations = generations;
        spec.training = new TrainingSpec();
        spec.training.batchSize = batch;
        return spec;
    }

    private static RuleReward reward(RuleRewardType type, String pattern) {
        RuleReward r = new RuleReward();
        r.type = type;
        r.pattern = pattern;
        return r;
    }
}
