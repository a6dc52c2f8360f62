package io.kubetune.trainer.train.stage.ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.OutputSpec;
import io.kubetune.api.v1alpha1.PpoSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.RewardModelSource;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.ValueHead;
import io.kubetune.trainer.model.ValueHeadFile;
import io.kubetune.trainer.model.io.HfModelWriter;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.train.stage.Stages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole stage-ppo job on the tiny llama under LoRA, against a reward model made from the same
 * fixture (a fresh score head, written as a stage rm run writes its merged model): it samples,
 * scores, trains policy and value head, and reports TRL's metric names.
 */
class PpoJobTest {
    static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    static final Path PROMPTS = Path.of("src/test/resources/fixtures/grpo/prompts.jsonl");

    @TempDir Path dir;

    @Test
    void loraJobSamplesScoresTrainsTheValueHeadAndReportsTrlsMetrics() throws Exception {
        Path rewardModel = rewardModel(dir.resolve("rm"));
        List<StepResult> steps = new ArrayList<>();
        TrainingListener recorder =
                new TrainingListener() {
                    @Override
                    public void onStep(StepResult result, long totalSteps, double epoch) {
                        steps.add(result);
                    }
                };
        FineTuneJobSpec spec = spec(3);
        Stages.validate(spec);
        FineTuneRun.Outcome outcome =
                new FineTuneRun(
                                spec,
                                new FineTuneRun.Inputs(LLAMA, List.of(PROMPTS), null)
                                        .withRewardModel(rewardModel),
                                dir.resolve("out"),
                                Device.cpu(),
                                List.of(recorder))
                        .run(() -> false);

        assertThat(outcome.finished()).isTrue();
        assertThat(steps).hasSize(3);
        for (StepResult step : steps) {
            assertThat(step.loss()).isFinite();
            assertThat(step.metrics())
                    .containsKeys(
                            "objective/kl",
                            "objective/entropy",
                            "objective/non_score_reward",
                            "objective/rlhf_reward",
                            "objective/scores",
                            "policy/approxkl_avg",
                            "policy/clipfrac_avg",
                            "loss/policy_avg",
                            "loss/value_avg",
                            "val/clipfrac_avg",
                            "policy/entropy_avg",
                            "val/ratio",
                            "val/num_eos_tokens");
            step.metrics().values().forEach(v -> assertThat(v).isFinite());
        }
        // ppoEpochs 1 x miniBatches 1: each step samples a new rollout; the first is taken from
        // the base (the reference), so its KL is 0.
        assertThat(steps.get(0).metrics().get("objective/kl"))
                .isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-4));
        Path adapter = dir.resolve("out/adapter");
        assertThat(adapter.resolve(ValueHeadFile.NAME)).exists();
        try (PretrainedModel policy = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            ValueHead head =
                    new ValueHead(policy.block().hiddenSize())
                            .initialized(policy.manager(), DataType.FLOAT32);
            ValueHeadFile.read(adapter, head);
            for (float w : head.summary().weight().getArray().toFloatArray()) {
                assertThat(w).isFinite();
            }
        }
        List<String> generations = Files.readAllLines(dir.resolve("out/generations.jsonl"));
        assertThat(generations)
                .anyMatch(l -> l.contains("\"stage\":\"rollout\"") && l.contains("\"score\""));
    }

    @Test
    void oneRolloutFeedsPpoEpochsTimesMiniBatchesUpdates() throws Exception {
        Path rewardModel = rewardModel(dir.resolve("rm"));
        List<StepResult> steps = new ArrayList<>();
        TrainingListener recorder =
                new TrainingListener() {
                    @Override
                    public void onStep(StepResult result, long totalSteps, double epoch) {
                        steps.add(result);
                    }
                };
        FineTuneJobSpec spec = spec(4);
        spec.training.gradientAccumulationSteps = 2;
        spec.ppo.ppoEpochs = 2;
        spec.ppo.miniBatches = 2;
        new FineTuneRun(
                        spec,
                        new FineTuneRun.Inputs(LLAMA, List.of(PROMPTS), null)
                                .withRewardModel(rewardModel),
                        dir.resolve("out"),
                        Device.cpu(),
                        List.of(recorder))
                .run(() -> false);

        assertThat(steps).hasSize(4);
        // 8 rows (4 x 2 accumulated) sampled once, then 2 epochs x 2 mini-batches of 4 rows.
        double scores = steps.get(0).metrics().get("objective/scores");
        for (StepResult step : steps) {
            assertThat(step.metrics().get("objective/scores")).isEqualTo(scores);
            assertThat(step.metrics().get("objective/kl"))
                    .isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-4));
        }
        // The first update's policy is the rollout's (ratio 1); later ones have moved from it.
        assertThat(steps.get(0).metrics().get("val/ratio"))
                .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
        assertThat(steps.get(3).metrics().get("policy/approxkl_avg")).isPositive();
        assertThat(Files.readAllLines(dir.resolve("out/generations.jsonl")))
                .filteredOn(l -> l.contains("\"stage\":\"rollout\""))
                .hasSize(2);
    }

    @Test
    void aRewardModelWithoutScoreHeadIsRefusedNamingTheField() {
        FineTuneJobSpec spec = spec(1);
        assertThatThrownBy(
                        () ->
                                new FineTuneRun(
                                                spec,
                                                new FineTuneRun.Inputs(
                                                                LLAMA, List.of(PROMPTS), null)
                                                        .withRewardModel(LLAMA),
                                                dir.resolve("out"),
                                                Device.cpu(),
                                                List.of())
                                        .run(() -> false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.rewardModel.uri: ")
                .hasMessageContaining("no score head");
    }

    @Test
    void anRmRunsAdapterScoresAsItsMergedModel() throws Exception {
        // A stage rm run on this llama wrote both forms (fixtures/preference/kubetune-written-rm).
        Path rm = Path.of("src/test/resources/fixtures/preference/kubetune-written-rm");
        double adapterScore = firstScores(rm.resolve("adapter"), dir.resolve("a"));
        double mergedScore = firstScores(rm.resolve("merged"), dir.resolve("m"));
        assertThat(adapterScore).isFinite().isCloseTo(mergedScore, within(1e-4));
    }

    @Test
    void anAdapterWithoutScoreHeadIsRefusedNamingTheField() throws Exception {
        Path adapter = dir.resolve("plain-adapter");
        Path rm = Path.of("src/test/resources/fixtures/preference/kubetune-written-rm/adapter");
        Files.createDirectories(adapter);
        Files.copy(
                rm.resolve("adapter_model.safetensors"),
                adapter.resolve("adapter_model.safetensors"));
        Files.writeString(
                adapter.resolve("adapter_config.json"),
                Files.readString(rm.resolve("adapter_config.json"))
                        .replaceAll(
                                "\"modules_to_save\":\\s*\\[[^\\]]*\\]",
                                "\"modules_to_save\": null"));
        FineTuneJobSpec spec = spec(1);
        assertThatThrownBy(
                        () ->
                                new FineTuneRun(
                                                spec,
                                                new FineTuneRun.Inputs(
                                                                LLAMA, List.of(PROMPTS), null)
                                                        .withRewardModel(adapter),
                                                dir.resolve("out"),
                                                Device.cpu(),
                                                List.of())
                                        .run(() -> false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.rewardModel.uri: ")
                .hasMessageContaining("without a score head");
    }

    private double firstScores(Path rewardModel, Path out) throws Exception {
        List<StepResult> steps = new ArrayList<>();
        TrainingListener recorder =
                new TrainingListener() {
                    @Override
                    public void onStep(StepResult result, long totalSteps, double epoch) {
                        steps.add(result);
                    }
                };
        new FineTuneRun(
                        spec(1),
                        new FineTuneRun.Inputs(LLAMA, List.of(PROMPTS), null)
                                .withRewardModel(rewardModel),
                        out,
                        Device.cpu(),
                        List.of(recorder))
                .run(() -> false);
        return steps.get(0).metrics().get("objective/scores");
    }

    @Test
    void aRewardModelOfAnotherVocabularyIsRefusedNamingTheField() throws Exception {
        // GPT-2-shaped fixture reward model: another vocabulary than the llama policy's.
        Path gpt2Reward = Path.of("src/test/resources/fixtures/ppo/models/reward");
        FineTuneJobSpec spec = spec(1);
        assertThatThrownBy(
                        () ->
                                new FineTuneRun(
                                                spec,
                                                new FineTuneRun.Inputs(
                                                                LLAMA, List.of(PROMPTS), null)
                                                        .withRewardModel(gpt2Reward),
                                                dir.resolve("out"),
                                                Device.cpu(),
                                                List.of())
                                        .run(() -> false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.rewardModel.uri: ")
                .hasMessageContaining("vocab_size");
    }

    @Test
    void specsPpoCannotRunAreRefusedBeforeAnyDownload() {
        FineTuneJobSpec noReward = spec(1);
        noReward.rewardModel = null;
        assertThatThrownBy(() -> Stages.validate(noReward))
                .hasMessageStartingWith("spec.rewardModel: ");
        FineTuneJobSpec alpaca = spec(1);
        alpaca.datasets.get(0).format = DataFormat.ALPACA;
        assertThatThrownBy(() -> Stages.validate(alpaca))
                .hasMessageStartingWith("spec.datasets[0].format: ");
        FineTuneJobSpec cold = spec(1);
        cold.ppo.temperature = "0";
        assertThatThrownBy(() -> Stages.validate(cold))
                .hasMessageStartingWith("spec.ppo.temperature: 0 ");
    }

    /** The fixture llama with a fresh score head, as a stage rm run's merged model is written. */
    static Path rewardModel(Path out) throws Exception {
        try (PretrainedModel model =
                PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32, Heads.NEW_REWARD_MODEL)) {
            HfModelWriter.write(out, model, LLAMA, DataType.FLOAT32);
        }
        return out;
    }

    static FineTuneJobSpec spec(int steps) {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.stage = Stage.PPO;
        spec.model = new ModelSource();
        spec.model.uri = "/models/llama";
        spec.rewardModel = new RewardModelSource();
        spec.rewardModel.uri = "/models/rm";
        spec.method = new MethodSpec();
        spec.method.type = MethodType.LORA;
        DatasetSpec dataset = new DatasetSpec();
        dataset.uri = "/data/prompts.jsonl";
        dataset.format = DataFormat.PROMPT;
        dataset.template = PromptTemplate.NONE;
        spec.datasets = new ArrayList<>(List.of(dataset));
        spec.ppo = new PpoSpec();
        spec.ppo.ppoEpochs = 1;
        spec.ppo.responseLength = 6;
        spec.ppo.temperature = "0.9";
        spec.training = new TrainingSpec();
        spec.training.maxSteps = steps;
        spec.training.batchSize = 4;
        spec.training.learningRate = "1e-2";
        spec.training.scheduler = Scheduler.CONSTANT;
        spec.training.warmupSteps = 0;
        spec.training.cutoffLength = 64;
        spec.training.loggingSteps = 1;
        spec.checkpoint.everySteps = 100;
        spec.output = new OutputSpec();
        spec.output.uri = "s3://runs/ppo";
        return spec;
    }
}
