package io.kubetune.trainer.peft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** PEFT's recorded outputs (tools/reference/make_*_fixtures.py) and checks of ours against them. */
final class PeftReference {
    static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    static final Path GPT2 = Path.of("src/test/resources/fixtures/models/gpt2");
    static final Path PEFT = Path.of("src/test/resources/fixtures/peft");

    private PeftReference() {}

    /** The prompt of a fixture folder's {@code reference.json}, as a {@code [1, seq]} input. */
    static NDArray prompt(Path dir, NDManager manager) throws IOException {
        JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        long[] ids = new ObjectMapper().convertValue(reference.get("input_ids"), long[].class);
        return manager.create(ids).expandDims(0);
    }

    /** Our logits for {@code input}, {@code [seq, vocab]}. */
    static NDArray logits(PretrainedModel model, NDArray input) {
        return model.block().logits(model.parameterStore(), ModelInput.of(input), false).squeeze(0);
    }

    /** Checks {@code ours} against tensor {@code key} of the folder's reference logits, to 1e-4. */
    static void assertMatches(NDArray ours, Path dir, String key, String what) throws IOException {
        try (SafetensorsFile expected =
                        SafetensorsFile.open(dir.resolve("reference_logits.safetensors"));
                TensorLoader loader = new TensorLoader()) {
            NDArray peft =
                    loader.load(
                            expected.tensor(key),
                            WeightLayout.AS_IS,
                            ours.getManager(),
                            DataType.FLOAT32);
            assertThat(ours.sub(peft).abs().max().getFloat())
                    .as("max |logit difference| %s vs peft", what)
                    .isLessThanOrEqualTo(1e-4f);
        }
    }

    /**
     * Trains {@code trainable} on the fixture's batches with its optimizer settings and checks each
     * loss against PEFT's: the first to 1e-5, the rest to 1e-3 relative.
     */
    static void followsLosses(PretrainedModel model, Map<String, Parameter> trainable, Path dir)
            throws IOException {
        followsLosses(model, trainable, dir, true);
    }

    /**
     * As {@link #followsLosses(PretrainedModel, Map, Path)}; with {@code sameStart} false the first
     * loss too is only checked to 1e-3 relative (the weights are not bit for bit the reference's).
     */
    static void followsLosses(
            PretrainedModel model, Map<String, Parameter> trainable, Path dir, boolean sameStart)
            throws IOException {
        JsonNode f = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        LearningRateSchedule schedule =
                new LearningRateSchedule(
                        Scheduler.COSINE,
                        f.get("learning_rate").asDouble(),
                        f.get("warmup_steps").asLong(),
                        f.get("total_steps").asLong());
        try (AdamW adamW =
                AdamW.withDefaults(trainable, f.get("weight_decay").asDouble(), model.manager())) {
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
                if (step == 0 && sameStart) {
                    assertThat(result.loss()).as("first loss").isCloseTo(expected, within(1e-5));
                } else {
                    assertThat(Math.abs(result.loss() - expected) / expected)
                            .as("relative loss error at step %d", step + 1)
                            .isLessThanOrEqualTo(1e-3);
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
