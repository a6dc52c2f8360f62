package io.kubetune.trainer.peft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainableWeights;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our LoRA against Hugging Face PEFT: its adapters load, and training follows its loss curve. */
class PeftParityTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final Path GPT2 = Path.of("src/test/resources/fixtures/models/gpt2");
    private static final Path PEFT = Path.of("src/test/resources/fixtures/peft");

    @Test
    void anAdapterWrittenByPeftGivesPeftsLogits() throws IOException {
        assertThat(matchesPeft(LLAMA, PEFT.resolve("peft-written"), "logits", null))
                .as("layers adapted: 2 x (q_proj, v_proj, down_proj)")
                .isEqualTo(6);
    }

    @Test
    void gpt2sFusedCAttnAdapterFromPeftGivesPeftsLogitsMergedOrNot() throws IOException {
        assertThat(matchesPeft(GPT2, PEFT.resolve("peft-written-gpt2"), "logits", "merged"))
                .as("layers adapted: 2 x (q, k, v of c_attn + c_fc)")
                .isEqualTo(8);
    }

    @Test
    void allLinearOnGpt2AdaptsCAttnAsOneModuleAsPeftDoes(@TempDir Path out) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(GPT2, Device.cpu(), Precision.FP32)) {
            io.kubetune.api.v1alpha1.LoraSpec spec = new io.kubetune.api.v1alpha1.LoraSpec();
            spec.r = 4;
            spec.alpha = 8;
            spec.dropout = "0";
            spec.targetModules = List.of(LoraInjector.ALL_LINEAR);
            List<LoraTarget> targets =
                    LoraInjector.inject(model.block(), spec, DataType.FLOAT32, model.manager());
            assertThat(LoraInjector.trainableParameters(targets))
                    .as("A and B of c_attn, c_proj, c_fc, mlp.c_proj in 2 layers")
                    .hasSize(2 * 4 * 2);
            PeftAdapterFormat.write(out, targets, spec, "gpt2", true);
        }
        try (SafetensorsFile adapter =
                SafetensorsFile.open(out.resolve(PeftAdapterFormat.WEIGHTS))) {
            assertThat(
                            adapter.tensor(
                                            "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight")
                                    .shape()
                                    .getShape())
                    .as("B of c_attn covers q, k and v, as PEFT stores it")
                    .containsExactly(3 * 64, 4);
            assertThat(adapter.names()).hasSize(2 * 4 * 2);
        }
    }

    @Test
    void anAdapterWeWroteLoadsInPeftWithOurLogitsMergedOrNot() throws IOException {
        assertThat(matchesPeft(LLAMA, PEFT.resolve("kubetune-written"), "adapted", "merged"))
                .isPositive();
    }

    /**
     * Reads the adapter in {@code dir} onto {@code base} and checks the logits with it (tensor
     * {@code adaptedKey} of the reference) and, when {@code mergedKey} is given, after merging
     * against peft's, to 1e-4; returns how many layers it adapted.
     */
    private static int matchesPeft(Path base, Path dir, String adaptedKey, String mergedKey)
            throws IOException {
        JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        long[] ids = new ObjectMapper().convertValue(reference.get("input_ids"), long[].class);
        try (PretrainedModel model = PretrainedModel.load(base, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager();
                SafetensorsFile expected =
                        SafetensorsFile.open(dir.resolve("reference_logits.safetensors"));
                TensorLoader loader = new TensorLoader()) {
            List<LoraTarget> targets =
                    PeftAdapterFormat.read(dir, model.block(), DataType.FLOAT32, model.manager());
            NDArray input = scope.create(ids).expandDims(0);
            NDArray adapted =
                    model.block()
                            .logits(model.parameterStore(), ModelInput.of(input), false)
                            .squeeze(0);
            NDArray peftAdapted =
                    loader.load(
                            expected.tensor(adaptedKey),
                            WeightLayout.AS_IS,
                            scope,
                            DataType.FLOAT32);
            assertThat(adapted.sub(peftAdapted).abs().max().getFloat())
                    .as("max |logit difference| with the adapter vs peft")
                    .isLessThanOrEqualTo(1e-4f);
            if (mergedKey == null) {
                return targets.size();
            }

            LoraMerger.merge(targets);
            NDArray merged =
                    model.block()
                            .logits(model.parameterStore(), ModelInput.of(input), false)
                            .squeeze(0);
            NDArray peftMerged =
                    loader.load(
                            expected.tensor(mergedKey),
                            WeightLayout.AS_IS,
                            scope,
                            DataType.FLOAT32);
            assertThat(merged.sub(peftMerged).abs().max().getFloat())
                    .as("merged vs peft's merge_and_unload")
                    .isLessThanOrEqualTo(1e-4f);
            return targets.size();
        }
    }

    @Test
    void tenStepsOfLoraSftFollowTransformersAndPeft() throws IOException {
        Path dir = PEFT.resolve("sft-10-steps");
        JsonNode f = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            List<LoraTarget> targets =
                    PeftAdapterFormat.read(
                            dir.resolve("initial-adapter"),
                            model.block(),
                            DataType.FLOAT32,
                            model.manager());
            Map<String, Parameter> trainable =
                    TrainableWeights.of(new MethodSpec(), model.block(), targets);
            LearningRateSchedule schedule =
                    new LearningRateSchedule(
                            Scheduler.COSINE,
                            f.get("learning_rate").asDouble(),
                            f.get("warmup_steps").asLong(),
                            f.get("total_steps").asLong());
            try (AdamW adamW =
                    AdamW.withDefaults(
                            trainable, f.get("weight_decay").asDouble(), model.manager())) {
                TrainingLoop<Batch> loop =
                        new TrainingLoop<>(
                                model,
                                new CausalLmObjective(),
                                trainable,
                                adamW,
                                schedule,
                                f.get("max_grad_norm").asDouble(),
                                0);
                for (int step = 0; step < f.get("losses").size(); step++) {
                    StepResult result = loop.step(List.of(batch(f.get("batches").get(step))));
                    double expected = f.get("losses").get(step).asDouble();
                    if (step == 0) {
                        assertThat(result.loss())
                                .as("first loss")
                                .isCloseTo(expected, within(1e-5));
                    } else {
                        assertThat(Math.abs(result.loss() - expected) / expected)
                                .as("relative loss error at step %d", step + 1)
                                .isLessThanOrEqualTo(1e-3);
                    }
                }
            }
        }
    }

    private static Batch batch(JsonNode b) {
        ObjectMapper json = new ObjectMapper();
        int[][] ids = json.convertValue(b.get("input_ids"), int[][].class);
        int[][] mask = json.convertValue(b.get("attention_mask"), int[][].class);
        int[][] labels = json.convertValue(b.get("labels"), int[][].class);
        int[][] positions = new int[ids.length][ids[0].length];
        for (int[] row : positions) {
            for (int i = 0; i < row.length; i++) {
                row[i] = i;
            }
        }
        return new Batch(ids, labels, mask, positions, mask);
    }
}
