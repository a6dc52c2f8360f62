package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.LoraMethod;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The reward model kubetune wrote (jobs/tiny-rm-lora.yaml, outputs in
 * fixtures/preference/kubetune-written-rm) scores as transformers scores the merged model
 * (LlamaForSequenceClassification) and as peft 0.21.2 scores the LoRA adapter with its
 * modules_to_save score head; a model without a head is refused as a reward model.
 */
class RewardModelExportTest {
    private static final Path WRITTEN = PreferenceFixtures.DIR.resolve("kubetune-written-rm");
    private static final int PAD = 4097;

    @Test
    void mergedModelScoresAsTransformers() throws Exception {
        JsonNode reference = reference();
        try (PretrainedModel model =
                        PretrainedModel.load(
                                WRITTEN.resolve("merged"),
                                Device.cpu(),
                                Precision.FP32,
                                Heads.REWARD_MODEL);
                NDManager scope = model.manager().newSubManager()) {
            assertClose(scores(model, reference, scope), reference.get("merged_scores"));
        }
    }

    @Test
    void loraAdapterScoresAsPeft() throws Exception {
        JsonNode reference = reference();
        try (PretrainedModel model =
                        PretrainedModel.load(
                                PreferenceFixtures.LLAMA,
                                Device.cpu(),
                                Precision.FP32,
                                Heads.NEW_REWARD_MODEL);
                NDManager scope = model.manager().newSubManager()) {
            // The score head comes back with the adapter (modules_to_save), as in peft.
            new LoraMethod()
                    .read(
                            WRITTEN.resolve("adapter"),
                            model.block(),
                            DataType.FLOAT32,
                            model.manager());
            assertClose(scores(model, reference, scope), reference.get("adapter_scores"));
        }
    }

    @Test
    void aModelWithoutAScoreHeadIsNotARewardModel() {
        assertThatThrownBy(
                        () ->
                                PretrainedModel.load(
                                        PreferenceFixtures.LLAMA,
                                        Device.cpu(),
                                        Precision.FP32,
                                        Heads.REWARD_MODEL))
                .hasMessageContaining("score.weight");
    }

    private static float[] scores(PretrainedModel model, JsonNode reference, NDManager scope) {
        ObjectMapper json = new ObjectMapper();
        int[][] ids = json.convertValue(reference.get("input_ids"), int[][].class);
        int[][] mask = json.convertValue(reference.get("attention_mask"), int[][].class);
        int[][] positions = new int[ids.length][ids[0].length];
        for (int[] row : positions) {
            for (int i = 0; i < row.length; i++) {
                row[i] = i;
            }
        }
        // Two rows of "pairs" are enough: the batch's rows are scored one by one.
        Batch rows = new Batch(ids, ids, mask, positions, mask);
        PairBatch batch = new PairBatch(rows, new float[ids.length / 2], PAD);
        return RewardObjective.rewards(model, batch, scope, false).toFloatArray();
    }

    private static void assertClose(float[] ours, JsonNode theirs) {
        assertThat(ours).hasSize(theirs.size());
        for (int i = 0; i < ours.length; i++) {
            assertThat((double) ours[i])
                    .as("score of row %d", i)
                    .isCloseTo(
                            theirs.get(i).asDouble(), org.assertj.core.api.Assertions.within(1e-4));
        }
    }

    private static JsonNode reference() throws Exception {
        return new ObjectMapper().readTree(WRITTEN.resolve("reference.json").toFile());
    }
}
