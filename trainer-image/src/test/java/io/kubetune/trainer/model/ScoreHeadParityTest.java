package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import java.io.Reader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The score head against transformers' {@code *ForSequenceClassification} (fixtures made by {@code
 * tools/reference/make_reward_fixtures.py}): a right-padded batch of 3 sequences of different
 * lengths scores within 1e-5, read at the same positions (for gpt2, pad == EOS: before the appended
 * EOS). And the head's absence is handled as the caller chose.
 */
class ScoreHeadParityTest {

    static final double SCORE_TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void scoresMatchTransformers(String name) throws Exception {
        Path dir = fixture(name);
        JsonObject reference = reference(dir);
        long[][] ids = longs(reference.getAsJsonArray("input_ids"));
        long[][] mask = longs(reference.getAsJsonArray("attention_mask"));
        try (PretrainedModel model =
                        PretrainedModel.load(
                                dir, Device.cpu(), Precision.FP32, Heads.REWARD_MODEL);
                NDManager step = model.manager().newSubManager()) {
            Shape shape = new Shape(ids.length, ids[0].length);
            ModelInput input =
                    ModelInput.of(step.create(flat(ids), shape))
                            .withAttentionMask(step.create(flat(mask), shape));
            ModelOutput output = model.block().forward(model.parameterStore(), input, false);
            assertThat(output.scoredPositions().toLongArray())
                    .containsExactly(longs1(reference.getAsJsonArray("score_positions_values")));
            float[] scores = output.scores().toType(DataType.FLOAT32, false).toFloatArray();
            JsonArray expected = reference.getAsJsonArray("scores");
            assertThat(scores).hasSize(expected.size());
            for (int i = 0; i < scores.length; i++) {
                System.out.printf(
                        "%s row %d: score diff %.3e%n",
                        name, i, scores[i] - expected.get(i).getAsDouble());
                assertThat((double) scores[i])
                        .as("score of row %d", i)
                        .isCloseTo(expected.get(i).getAsDouble(), within(SCORE_TOLERANCE));
            }
            assertThat(output.hidden().getShape()).isEqualTo(shape.add(64));
        }
    }

    @Test
    void aCausalLmIsNoRewardModel() throws Exception {
        Path dir = ReferenceFixture.load("llama").dir();
        assertThatThrownBy(
                        () ->
                                PretrainedModel.load(
                                        dir, Device.cpu(), Precision.FP32, Heads.REWARD_MODEL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a reward model")
                .hasMessageContaining("score.weight");
    }

    @Test
    void aNewScoreHeadIsDrawnWithTheConfigsInitializerRange() throws Exception {
        Path dir = ReferenceFixture.load("llama").dir();
        try (PretrainedModel model =
                PretrainedModel.load(dir, Device.cpu(), Precision.FP32, Heads.NEW_REWARD_MODEL)) {
            NDArray weight = model.block().scoreHead().weight().getArray();
            assertThat(weight.getShape()).isEqualTo(new Shape(1, 64));
            double std = weight.toType(DataType.FLOAT64, false).pow(2).mean().sqrt().getDouble();
            // initializer_range is 0.1 in this fixture; 64 draws estimate it within about 10%.
            assertThat(std).isBetween(0.07, 0.13);
            assertThat(model.block().lmHead()).as("a reward model carries no LM head").isNull();
        }
    }

    @Test
    void aRewardModelLoadedAsNewKeepsItsTrainedHead() throws Exception {
        Path dir = fixture("llama");
        try (PretrainedModel loaded =
                        PretrainedModel.load(
                                dir, Device.cpu(), Precision.FP32, Heads.REWARD_MODEL);
                PretrainedModel asNew =
                        PretrainedModel.load(
                                dir, Device.cpu(), Precision.FP32, Heads.NEW_REWARD_MODEL)) {
            assertThat(asNew.block().scoreHead().weight().getArray().toFloatArray())
                    .containsExactly(loaded.block().scoreHead().weight().getArray().toFloatArray());
        }
    }

    private static Path fixture(String name) throws Exception {
        URL url =
                ScoreHeadParityTest.class.getResource("/fixtures/reward/" + name + "/config.json");
        assertThat(url).as("make it with tools/reference/make_reward_fixtures.py").isNotNull();
        return Path.of(url.toURI()).getParent();
    }

    private static JsonObject reference(Path dir) throws Exception {
        try (Reader reader = Files.newBufferedReader(dir.resolve("reference.json"))) {
            return JsonParser.parseReader(reader).getAsJsonObject();
        }
    }

    private static long[][] longs(JsonArray rows) {
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs1(rows.get(i).getAsJsonArray());
        }
        return out;
    }

    private static long[] longs1(JsonArray row) {
        long[] out = new long[row.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(i).getAsLong();
        }
        return out;
    }

    private static long[] flat(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
