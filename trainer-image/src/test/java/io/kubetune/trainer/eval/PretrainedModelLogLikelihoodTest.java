package io.kubetune.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PretrainedModelLogLikelihoodTest {

    /**
     * One batch mixing what the shared-context path must handle: contexts of different lengths
     * (padded cache), a one-token context and a lone continuation (run whole), one-token and uneven
     * continuations; each score equals the whole-row score.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void sharedContextGivesTheWholeRowScoresOnAMixedBatch(String name) throws IOException {
        List<ScoringGroup> batch =
                List.of(
                        new ScoringGroup(
                                new int[] {5, 17, 42, 8, 99, 3, 61},
                                List.of(new int[] {7}, new int[] {12, 30, 4}, new int[] {9, 9})),
                        new ScoringGroup(
                                new int[] {11, 2}, List.of(new int[] {40, 41}, new int[] {6})),
                        new ScoringGroup(new int[] {13}, List.of(new int[] {1}, new int[] {2, 3})),
                        new ScoringGroup(new int[] {21, 22, 23}, List.of(new int[] {24, 25})),
                        new ScoringGroup(
                                new int[] {31, 32, 33, 34},
                                List.of(new int[] {35}, new int[] {36}, new int[] {37, 38, 39})));
        try (PretrainedModel model =
                PretrainedModel.load(
                        Fixtures.resource("fixtures/models/" + name),
                        Device.cpu(),
                        Precision.FP32)) {
            List<List<ContinuationScore>> whole =
                    new PretrainedModelLogLikelihood(model, 64, false).score(batch);
            List<List<ContinuationScore>> shared =
                    new PretrainedModelLogLikelihood(model, 64, true).score(batch);
            assertThat(shared).hasSameSizeAs(whole);
            for (int g = 0; g < batch.size(); g++) {
                assertThat(shared.get(g)).hasSameSizeAs(whole.get(g));
                for (int c = 0; c < whole.get(g).size(); c++) {
                    ContinuationScore want = whole.get(g).get(c);
                    ContinuationScore got = shared.get(g).get(c);
                    assertThat(got.logLikelihood())
                            .as("group %d continuation %d", g, c)
                            .isCloseTo(want.logLikelihood(), within(1e-5));
                    assertThat(got.greedy()).as("greedy %d/%d", g, c).isEqualTo(want.greedy());
                }
            }
        }
    }

    /**
     * A continuation of the model's own argmax tokens is greedy (on both paths); changing its last
     * token to anything else makes it not greedy.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void theModelsOwnArgmaxTokensAreGreedyAndOthersAreNot(String name) throws IOException {
        int[] context = {5, 17, 42, 8, 99, 3, 61};
        try (PretrainedModel model =
                PretrainedModel.load(
                        Fixtures.resource("fixtures/models/" + name),
                        Device.cpu(),
                        Precision.FP32)) {
            int[] greedy = argmaxTokens(model, context, 3);
            int[] notGreedy = greedy.clone();
            notGreedy[2] = (greedy[2] + 1) % 100;
            for (boolean share : new boolean[] {false, true}) {
                List<ContinuationScore> scores =
                        new PretrainedModelLogLikelihood(model, 64, share)
                                .score(
                                        List.of(
                                                new ScoringGroup(
                                                        context, List.of(greedy, notGreedy))))
                                .get(0);
                assertThat(scores.get(0).greedy()).as("own argmax, shared %s", share).isTrue();
                assertThat(scores.get(1).greedy()).as("last token changed").isFalse();
                assertThat(scores.get(0).logLikelihood())
                        .isGreaterThan(scores.get(1).logLikelihood());
            }
        }
    }

    // Greedy decoding with full logits and argmax, as lm-eval's check reads it.
    private static int[] argmaxTokens(PretrainedModel model, int[] context, int count) {
        int[] tokens = Arrays.copyOf(context, context.length + count);
        for (int i = 0; i < count; i++) {
            int length = context.length + i;
            try (NDManager step = model.manager().newSubManager()) {
                long[] ids = new long[length];
                for (int j = 0; j < length; j++) {
                    ids[j] = tokens[j];
                }
                NDArray logits =
                        model.block()
                                .logits(
                                        model.parameterStore(),
                                        ModelInput.of(step.create(ids, new Shape(1, length))),
                                        false);
                tokens[length] =
                        (int)
                                logits.get(0, length - 1)
                                        .argMax()
                                        .toType(DataType.INT64, false)
                                        .getLong();
            }
        }
        return Arrays.copyOfRange(tokens, context.length, tokens.length);
    }
}
