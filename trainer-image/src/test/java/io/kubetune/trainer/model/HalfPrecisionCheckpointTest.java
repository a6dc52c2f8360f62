package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.fixtures.ReferenceFixture.PromptCase;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.model.io.Checkpoint;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BF16 (sharded) and F16 checkpoints of the {@code llama} fixture's weights: they load on CPU
 * without a BF16 array, match transformers on the same rounded weights to 1e-4, and match the F32
 * twin to half precision.
 */
class HalfPrecisionCheckpointTest {

    /**
     * BF16 keeps 8 bits of mantissa (relative rounding up to 2^-9); through two layers that moves
     * logits by up to 1.4% of their largest magnitude (measured 0.048 at max |logit| 3.5). Allowed:
     * max |diff| <= 2e-2 x max |F32 logit| of the prompt (F16, 3 more bits, lands ~8x inside).
     */
    static final double HALF_RTOL = 2e-2;

    @ParameterizedTest
    @ValueSource(strings = {"llama-bf16-sharded", "llama-f16"})
    void loadsAndMatchesReferenceAndF32Twin(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        ReferenceFixture twin = ReferenceFixture.load("llama");
        try (PretrainedModel model =
                PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32)) {
            for (int i = 0; i < fixture.cases().size(); i++) {
                PromptCase c = fixture.cases().get(i);
                float[] logits = logits(model, c.inputIds());
                double own = ReferenceParityTest.maxAbsDiff(fixture.logits(i), logits);
                System.out.printf(
                        "%s prompt %d: max |logit diff| vs own reference %.3e%n", name, i, own);
                assertThat(own).isLessThanOrEqualTo(ReferenceParityTest.LOGIT_TOLERANCE);
                assertThat(twin.cases().get(i).inputIds()).containsExactly(c.inputIds());
                checkCloseToTwin(name, i, twin.logits(i), logits);
                long[] greedy =
                        new Generator(model, null)
                                .generate(c.inputIds(), GenerationConfig.builder().build())
                                .tokens();
                assertThat(greedy).containsExactly(c.greedyIds());
            }
        }
    }

    @Test
    void bf16FixtureReallyIsShardedBf16() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama-bf16-sharded");
        assertThat(fixture.dir().resolve(Checkpoint.INDEX_FILE)).exists();
        assertThat(fixture.dir().resolve(Checkpoint.SINGLE_FILE)).doesNotExist();
        try (var files = Files.list(fixture.dir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".safetensors")).count())
                    .isGreaterThan(1);
        }
        try (Checkpoint checkpoint = Checkpoint.open(fixture.dir())) {
            assertThat(checkpoint.tensor("model.embed_tokens.weight").dtype().name())
                    .isEqualTo("BF16");
        }
    }

    @Test
    void computesInFp16OnCpu() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama-f16");
        try (PretrainedModel model =
                PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP16)) {
            PromptCase c = fixture.cases().get(0);
            float[] logits = logits(model, c.inputIds());
            // F16 activations carry ~3 decimal digits: same bound as for half weights.
            checkCloseToTwin("llama-f16 in fp16", 0, fixture.logits(0), logits);
        }
    }

    @Test
    void bf16ComputeOnCpuIsRefusedWithAFix() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama-bf16-sharded");
        assertThatThrownBy(() -> PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.BF16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bf16 is not supported on CPU")
                .hasMessageContaining("fp32 or fp16")
                .hasMessageContaining("cuda");
    }

    private static float[] logits(PretrainedModel model, long[] ids) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray input = step.create(ids, new Shape(1, ids.length));
            return model.block()
                    .logits(model.parameterStore(), ModelInput.of(input), false)
                    .toType(DataType.FLOAT32, false)
                    .toFloatArray();
        }
    }

    private static void checkCloseToTwin(String what, int prompt, float[][] f32, float[] actual) {
        int vocab = f32[0].length;
        double worst = 0;
        double scale = 0;
        for (int t = 0; t < f32.length; t++) {
            for (int v = 0; v < vocab; v++) {
                scale = Math.max(scale, Math.abs(f32[t][v]));
                worst = Math.max(worst, Math.abs(actual[t * vocab + v] - f32[t][v]));
            }
        }
        System.out.printf(
                "%s prompt %d: max |logit diff| vs F32 twin %.3e (max |logit| %.2f)%n",
                what, prompt, worst, scale);
        assertThat(worst)
                .as("%s prompt %d: max |logit diff| vs F32 twin", what, prompt)
                .isLessThanOrEqualTo(HALF_RTOL * scale);
    }
}
