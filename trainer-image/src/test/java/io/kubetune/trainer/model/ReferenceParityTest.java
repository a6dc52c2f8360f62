package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.fixtures.ReferenceFixture.PromptCase;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.generate.GenerationResult;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each family against transformers' outputs for the same checkpoint (fixtures made by {@code
 * tools/reference/make_model_fixtures.py}): same token ids, logits within 1e-4, loss within 1e-5,
 * the same 20 greedy tokens with and without the KV cache.
 */
class ReferenceParityTest {

    static final double LOGIT_TOLERANCE = 1e-4;
    static final double LOSS_TOLERANCE = 1e-5;

    static List<String> cases() {
        return ReferenceFixture.FP32_CASES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTransformers(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        try (PretrainedModel model =
                        PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
                HfTokenizer tokenizer = HfTokenizer.load(fixture.dir())) {
            for (int i = 0; i < fixture.cases().size(); i++) {
                PromptCase c = fixture.cases().get(i);
                assertThat(tokenizer.encode(c.prompt()))
                        .as("ids of %s", c.prompt())
                        .containsExactly(c.inputIds());
                checkLogitsAndLoss(model, fixture, i, c);
                checkGreedy(model, tokenizer, c);
            }
        }
    }

    private static void checkLogitsAndLoss(
            PretrainedModel model, ReferenceFixture fixture, int index, PromptCase c)
            throws Exception {
        float[][] expected = fixture.logits(index);
        try (NDManager step = model.manager().newSubManager()) {
            NDArray ids = step.create(c.inputIds(), new Shape(1, c.inputIds().length));
            NDArray logits =
                    model.block().logits(model.parameterStore(), ModelInput.of(ids), false);
            float[] actual = logits.toType(DataType.FLOAT32, false).toFloatArray();
            double worst = maxAbsDiff(expected, actual);
            System.out.printf("%s prompt %d: max |logit diff| %.3e%n", fixture, index, worst);
            assertThat(worst)
                    .as("max |logit diff|, prompt %d", index)
                    .isLessThanOrEqualTo(LOGIT_TOLERANCE);

            double loss = CausalLmLoss.mean(logits, ids).getFloat();
            System.out.printf("%s prompt %d: loss diff %.3e%n", fixture, index, loss - c.loss());
            assertThat(loss)
                    .as("mean loss, prompt %d", index)
                    .isCloseTo(c.loss(), within(LOSS_TOLERANCE));
            float[] tokenLosses = CausalLmLoss.tokenLosses(logits, ids).toFloatArray();
            assertThat(tokenLosses).hasSize(c.tokenLosses().length);
            for (int t = 0; t < tokenLosses.length; t++) {
                assertThat((double) tokenLosses[t])
                        .as("loss of token %d, prompt %d", t + 1, index)
                        .isCloseTo(c.tokenLosses()[t], within(LOSS_TOLERANCE));
            }
        }
    }

    private static void checkGreedy(PretrainedModel model, HfTokenizer tokenizer, PromptCase c) {
        Generator generator = new Generator(model, tokenizer);
        for (boolean cache : new boolean[] {true, false}) {
            GenerationConfig config =
                    GenerationConfig.builder()
                            .optMaxNewTokens(c.greedyIds().length)
                            .optUseCache(cache)
                            .build();
            GenerationResult result = generator.generate(c.inputIds(), config);
            assertThat(result.tokens())
                    .as("greedy ids, cache %s", cache)
                    .containsExactly(c.greedyIds());
            assertThat(result.text()).as("greedy text, cache %s", cache).isEqualTo(c.greedyText());
        }
    }

    static double maxAbsDiff(float[][] expected, float[] actual) {
        int vocab = expected[0].length;
        assertThat(actual).hasSize(expected.length * vocab);
        double worst = 0;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                worst = Math.max(worst, Math.abs(expected[t][v] - actual[t * vocab + v]));
            }
        }
        return worst;
    }
}
