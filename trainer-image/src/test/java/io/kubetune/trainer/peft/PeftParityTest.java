package io.kubetune.trainer.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.train.TrainableWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our LoRA against Hugging Face PEFT: its adapters load, and training follows its loss curve. */
class PeftParityTest {
    private static final Path LLAMA = PeftReference.LLAMA;
    private static final Path GPT2 = PeftReference.GPT2;
    private static final Path PEFT = PeftReference.PEFT;

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
        try (PretrainedModel model = PretrainedModel.load(base, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager()) {
            List<LoraTarget> targets =
                    PeftAdapterFormat.read(dir, model.block(), DataType.FLOAT32, model.manager());
            NDArray input = PeftReference.prompt(dir, scope);
            PeftReference.assertMatches(
                    PeftReference.logits(model, input), dir, adaptedKey, "with the adapter");
            if (mergedKey != null) {
                LoraMerger.merge(targets);
                PeftReference.assertMatches(
                        PeftReference.logits(model, input), dir, mergedKey, "merged");
            }
            return targets.size();
        }
    }

    @Test
    void tenStepsOfLoraSftFollowTransformersAndPeft() throws IOException {
        Path dir = PEFT.resolve("sft-10-steps");
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            List<LoraTarget> targets =
                    PeftAdapterFormat.read(
                            dir.resolve("initial-adapter"),
                            model.block(),
                            DataType.FLOAT32,
                            model.manager());
            PeftReference.followsLosses(
                    model, TrainableWeights.of(new MethodSpec(), model.block(), targets), dir);
        }
    }
}
