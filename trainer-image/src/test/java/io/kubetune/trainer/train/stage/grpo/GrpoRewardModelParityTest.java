package io.kubetune.trainer.train.stage.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.GrpoLossType;
import io.kubetune.api.v1alpha1.RewardScaling;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.LoraMethod;
import io.kubetune.trainer.peft.RewardModels;
import io.kubetune.trainer.prompt.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import io.kubetune.trainer.train.stage.rewardmodel.RewardModelFiles;
import io.kubetune.trainer.train.stage.rollout.Rollout;
import io.kubetune.trainer.train.stage.rollout.RolloutTensors;
import io.kubetune.trainer.train.stage.rollout.TokenLogps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * GRPO with a reward model beside a rule reward, against TRL 1.16's GRPOTrainer with the model in
 * reward_funcs (tools/reference/make_grpo_fixtures.py, reward-model.json): the reward model's score
 * of each recorded completion (text re-tokenized with the reward model's own GPT-2 tokenizer), the
 * weighted sum, the advantages and the dapo loss, to 1e-5.
 */
class GrpoRewardModelParityTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/grpo");
    static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @Test
    void rewardsAdvantagesAndLossMatchTrl() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode rollouts = json.readTree(DIR.resolve("reference.json").toFile());
        JsonNode expected = json.readTree(DIR.resolve("reward-model.json").toFile());
        int g = rollouts.get("num_generations").asInt();
        GrpoSettings settings =
                new GrpoSettings(
                        g,
                        rollouts.get("max_completion_length").asInt(),
                        rollouts.get("temperature").asDouble(),
                        0,
                        1.0,
                        0.0,
                        0.2,
                        0.2,
                        GrpoLossType.DAPO,
                        RewardScaling.GROUP,
                        List.of(),
                        expected.get("reward_model_weight").asDouble());
        Path rmDir = DIR.resolve("reward-model");
        String name = new RewardModelFiles(rmDir, null, rmDir.toString()).metricName();
        assertThat(name).isEqualTo(expected.get("reward_model_name").asText());
        try (PretrainedModel policy = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                HfTokenizer policyTokenizer = HfTokenizer.load(LLAMA);
                PretrainedModel rm = RewardModels.load(rmDir, null, Device.cpu(), Precision.FP32);
                HfTokenizer rmTokenizer = HfTokenizer.load(rmDir)) {
            new LoraMethod()
                    .read(
                            DIR.resolve("initial-adapter"),
                            policy.block(),
                            DataType.FLOAT32,
                            policy.manager());
            // Batches of 5 over 12 rows: the last one is short.
            RewardModelScorer model =
                    new RewardModelScorer(
                            rm, rmTokenizer, null, name, settings.rewardModelWeight(), 5);
            RolloutScorer scorer =
                    new RolloutScorer(
                            List.of(
                                    new RewardRule.RegexMatch(
                                            Pattern.compile(
                                                    expected.get("rule_pattern").asText(),
                                                    Pattern.DOTALL))),
                            new double[] {expected.get("rule_weight").asDouble()},
                            settings,
                            policyTokenizer,
                            model);
            List<PromptBatch.Prompt> prompts = new ArrayList<>();
            for (int p = 0; p < rollouts.get("prompts").size(); p++) {
                prompts.add(
                        new PromptBatch.Prompt(
                                GrpoParityTest.longs(rollouts.get("prompt_ids").get(p)),
                                rollouts.get("prompts").get(p).asText(),
                                Map.of(),
                                null));
            }
            Rollout rollout = rollout(rollouts);
            ScoredRollout scored =
                    scorer.score(List.of(new PromptBatch(prompts)), List.of(rollout)).get(0);

            assertClose(scored.rewards(), GrpoParityTest.floats(expected.get("rewards")), "reward");
            assertClose(
                    scored.advantages(),
                    GrpoParityTest.floats(expected.get("advantages")),
                    "advantage");
            JsonNode metrics = expected.get("rollout_metrics");
            assertThat(scored.metrics().get("rewards/" + name + "/mean").mean())
                    .isCloseTo(metrics.get("rewards/" + name + "/mean").asDouble(), within(1e-5));
            assertThat(scored.metrics().get("rewards/" + name + "/std").mean())
                    .isCloseTo(metrics.get("rewards/" + name + "/std").asDouble(), within(1e-5));
            assertThat(scored.metrics().get("reward").mean())
                    .isCloseTo(metrics.get("reward").asDouble(), within(1e-5));

            try (NDManager scope = policy.manager().newSubManager()) {
                RolloutTensors tensors =
                        RolloutTensors.of(rollout, scope, rollouts.get("eos").asLong());
                TokenLogps logps = TokenLogps.of(policy, tensors, settings.temperature(), false);
                GrpoLoss.Result loss =
                        new GrpoLoss(settings)
                                .compute(
                                        logps.logps(),
                                        null,
                                        null,
                                        scope.create(scored.advantages()),
                                        tensors.completionMask());
                assertThat((double) loss.sum().getFloat() / tensors.completionTokens())
                        .as("loss")
                        .isCloseTo(expected.get("loss").asDouble(), within(1e-5));
            }
        }
    }

    @Test
    void conversationalPromptIsReadThroughTheRewardTokenizersChatTemplate() throws Exception {
        JsonNode expected =
                new ObjectMapper().readTree(DIR.resolve("reward-model-chat.json").toFile());
        try (HfTokenizer rmTokenizer = HfTokenizer.load(DIR.resolve("reward-model"))) {
            SpecialTokens special = rmTokenizer.specialTokens();
            RewardModelScorer scorer =
                    new RewardModelScorer(
                            null,
                            rmTokenizer,
                            JinjaChatTemplate.of(
                                    expected.get("chat_template").asText(),
                                    special.bos().map(SpecialTokens.Token::content).orElse(""),
                                    special.eos().map(SpecialTokens.Token::content).orElse("")),
                            "rm",
                            1,
                            1);
            for (JsonNode c : expected.get("cases")) {
                List<Turn> turns = new ArrayList<>();
                c.get("messages")
                        .forEach(
                                m ->
                                        turns.add(
                                                new Turn(
                                                        Role.valueOf(
                                                                m.get("role")
                                                                        .asText()
                                                                        .toUpperCase(
                                                                                java.util.Locale
                                                                                        .ROOT)),
                                                        m.get("content").asText())));
                PromptBatch.Prompt prompt =
                        new PromptBatch.Prompt(new long[] {1}, "unused", Map.of(), turns);
                String text = scorer.text(prompt, c.get("completion").asText());
                assertThat(text).isEqualTo(c.get("text").asText());
                assertThat(rmTokenizer.encode(text, false))
                        .containsExactly(GrpoParityTest.longs(c.get("ids")));
            }
        }
    }

    private static Rollout rollout(JsonNode reference) {
        int g = reference.get("num_generations").asInt();
        JsonNode completions = reference.get("completions");
        long eosId = reference.get("eos").asLong();
        List<long[]> prompts = new ArrayList<>();
        long[][] tokens = new long[completions.size()][];
        float[][] logps = new float[tokens.length][];
        boolean[] eos = new boolean[tokens.length];
        for (int r = 0; r < tokens.length; r++) {
            prompts.add(GrpoParityTest.longs(reference.get("prompt_ids").get(r / g)));
            tokens[r] = GrpoParityTest.longs(completions.get(r));
            logps[r] = new float[tokens[r].length];
            eos[r] = tokens[r][tokens[r].length - 1] == eosId;
        }
        return new Rollout(prompts, new Completions(tokens, logps, eos));
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        double largest = 0;
        for (int i = 0; i < actual.length; i++) {
            largest = Math.max(largest, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf("GRPO reward model vs TRL: largest %s difference %.3g%n", what, largest);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(1e-5f));
        }
    }
}
