package io.kubetune.trainer.peft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reward adapters read back with their score head: one PEFT 0.21.2 wrote (task_type SEQ_CLS,
 * modules_to_save score) and one kubetune wrote score as peft scores them on the base model, which
 * has no head of its own (fixtures: tools/reference/make_preference_fixtures.py
 * --only-peft-written, --only-kubetune-written). A reward model without a head is refused.
 */
class RewardModelsTest {
    private static final Path PREFERENCE = Path.of("src/test/resources/fixtures/preference");
    private static final Path BASE = Path.of("src/test/resources/fixtures/models/llama");
    private static final Path PEFT_WRITTEN = PREFERENCE.resolve("rm-lora-initial-adapter");
    private static final Path OURS = PREFERENCE.resolve("kubetune-written-rm");

    @Test
    void peftWrittenAdapterScoresAsPeft() throws Exception {
        JsonNode reference = reference(PREFERENCE.resolve("peft-written-rm/reference.json"));
        assertScores(PEFT_WRITTEN, reference, reference.get("scores"));
    }

    @Test
    void kubetuneWrittenAdapterScoresAsPeft() throws Exception {
        JsonNode reference = reference(OURS.resolve("reference.json"));
        assertScores(OURS.resolve("adapter"), reference, reference.get("adapter_scores"));
    }

    @Test
    void headUnderPeftsLiveStateDictNameIsReadToo(@TempDir Path dir) throws Exception {
        Path renamed = copy(PEFT_WRITTEN, dir);
        renameScore(renamed, ScoreHeadAdapter.LIVE_SCORE_KEY);
        JsonNode reference = reference(PREFERENCE.resolve("peft-written-rm/reference.json"));
        assertScores(renamed, reference, reference.get("scores"));
    }

    @Test
    void adapterListingScoreWithoutTheTensorIsRefused(@TempDir Path dir) throws Exception {
        Path broken = copy(PEFT_WRITTEN, dir);
        renameScore(broken, "base_model.model.something_else.weight");
        assertThatThrownBy(() -> RewardModels.load(BASE, broken, Device.cpu(), Precision.FP32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no base_model.model.score.weight")
                .hasMessageContaining("modules_to_save");
    }

    @Test
    void causalLmAdapterOnABaseWithoutHeadIsNoRewardModel(@TempDir Path dir) throws Exception {
        Path plain = copy(PEFT_WRITTEN, dir);
        Path config = plain.resolve(PeftAdapterFormat.CONFIG);
        Files.writeString(
                config,
                Files.readString(config)
                        .replaceAll(
                                "(?s)\"modules_to_save\": \\[[^]]*]", "\"modules_to_save\": null"));
        assertThatThrownBy(() -> RewardModels.load(BASE, plain, Device.cpu(), Precision.FP32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is no reward adapter")
                .hasMessageContaining("score.weight");
    }

    private static void assertScores(Path adapter, JsonNode reference, JsonNode expected)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        long[][] ids = json.convertValue(reference.get("input_ids"), long[][].class);
        long[][] mask = json.convertValue(reference.get("attention_mask"), long[][].class);
        try (PretrainedModel model =
                        RewardModels.load(BASE, adapter, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager()) {
            Shape shape = new Shape(ids.length, ids[0].length);
            ModelInput input =
                    ModelInput.of(scope.create(flat(ids), shape))
                            .withAttentionMask(scope.create(flat(mask), shape));
            // transformers reads the rightmost token that is not the tokenizer's pad id (the
            // base's config.json names none; here pad == EOS, so the token before the EOS).
            long pad;
            try (HfTokenizer tokenizer = HfTokenizer.load(BASE)) {
                pad = tokenizer.specialTokens().paddingId();
            }
            float[] scores =
                    model.block()
                            .forward(model.parameterStore(), input, false)
                            .scores(pad)
                            .toType(DataType.FLOAT32, false)
                            .toFloatArray();
            assertThat(scores).hasSize(expected.size());
            for (int i = 0; i < scores.length; i++) {
                System.out.printf(
                        "%s row %d: score diff %.3e%n",
                        adapter.getFileName(), i, scores[i] - expected.get(i).asDouble());
                assertThat((double) scores[i])
                        .as("score of row %d", i)
                        .isCloseTo(expected.get(i).asDouble(), within(1e-4));
            }
        }
    }

    private static Path copy(Path adapter, Path dir) throws Exception {
        for (String f : new String[] {PeftAdapterFormat.CONFIG, PeftAdapterFormat.WEIGHTS}) {
            Files.copy(adapter.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    /** Writes the adapter's tensors again with the score head under {@code name}. */
    private static void renameScore(Path adapter, String name) throws Exception {
        Path file = adapter.resolve(PeftAdapterFormat.WEIGHTS);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            try (SafetensorsFile in = SafetensorsFile.open(file);
                    TensorLoader loader = new TensorLoader()) {
                for (String key : in.names()) {
                    tensors.put(
                            key.equals(ScoreHeadAdapter.SCORE_KEY) ? name : key,
                            loader.load(
                                    in.tensor(key), WeightLayout.AS_IS, manager, DataType.FLOAT32));
                }
            }
            SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
        }
    }

    private static JsonNode reference(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }

    private static long[] flat(long[][] rows) {
        return Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray();
    }
}
