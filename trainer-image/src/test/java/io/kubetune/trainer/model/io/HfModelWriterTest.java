package io.kubetune.trainer.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A loaded model written back is the checkpoint it came from, tensor for tensor. */
class HfModelWriterTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void writesTheCheckpointItWasLoadedFrom(String name) throws IOException {
        Path source = Path.of("src/test/resources/fixtures/models", name);
        try (PretrainedModel model = PretrainedModel.load(source, Device.cpu(), Precision.FP32)) {
            HfModelWriter.write(dir, model, source, DataType.FLOAT32);
        }
        try (SafetensorsFile original = SafetensorsFile.open(source.resolve("model.safetensors"));
                SafetensorsFile written = SafetensorsFile.open(dir.resolve("model.safetensors"));
                TensorLoader loader = new TensorLoader();
                NDManager manager = NDManager.newBaseManager()) {
            for (String tensor : written.names()) {
                NDArray want =
                        loader.load(
                                original.tensor(tensor),
                                WeightLayout.AS_IS,
                                manager,
                                DataType.FLOAT32);
                NDArray got =
                        loader.load(
                                written.tensor(tensor),
                                WeightLayout.AS_IS,
                                manager,
                                DataType.FLOAT32);
                assertThat(got.getShape()).as(tensor).isEqualTo(want.getShape());
                assertThat(got.contentEquals(want)).as("%s equal", tensor).isTrue();
            }
            assertThat(written.names())
                    .as("every tensor a model needs")
                    .containsAll(
                            original.names().stream()
                                    .filter(
                                            n ->
                                                    !n.equals("lm_head.weight")
                                                            && !n.contains(".attn.bias")
                                                            && !n.contains("masked_bias"))
                                    .toList());
        }
        assertThat(dir.resolve("tokenizer.json")).exists();
        assertThat(HfConfig.read(dir.resolve("config.json")).modelType()).isEqualTo(name);
    }

    @Test
    void aRewardModelIsWrittenAsSequenceClassificationWithItsScoreHead() throws IOException {
        Path source = Path.of("src/test/resources/fixtures/models/llama");
        float[] score;
        try (PretrainedModel model =
                PretrainedModel.load(
                        source, Device.cpu(), Precision.FP32, Heads.NEW_REWARD_MODEL)) {
            score = model.block().scoreHead().weight().getArray().toFloatArray();
            HfModelWriter.write(dir, model, source, DataType.FLOAT32);
        }
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        assertThat(config.optRaw("architectures").orElseThrow().toString())
                .isEqualTo("[\"LlamaForSequenceClassification\"]");
        assertThat(config.optRaw("id2label").orElseThrow().toString())
                .as("num_labels 1, as transformers counts them")
                .isEqualTo("{\"0\":\"LABEL_0\"}");
        try (SafetensorsFile written = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertThat(written.names()).contains("score.weight").doesNotContain("lm_head.weight");
        }
        try (PretrainedModel back =
                PretrainedModel.load(dir, Device.cpu(), Precision.FP32, Heads.REWARD_MODEL)) {
            assertThat(back.block().scoreHead().weight().getArray().toFloatArray())
                    .containsExactly(score);
        }
    }
}
