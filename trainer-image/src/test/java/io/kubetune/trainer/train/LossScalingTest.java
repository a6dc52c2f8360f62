package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.DynamicLossScaler;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dynamic loss scaling in the training loop, as torch.amp.GradScaler. Runs in fp32 with a scale
 * that overflows the loss itself: fp16 training steps fail on the CPU in this engine ("does not
 * require grad" at backward, with or without a scaler), so fp16 itself is a GPU check.
 */
class LossScalingTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @Test
    void anOverflowSkipsTheStepHalvesTheScaleAndTrainingGoesOn() throws Exception {
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            MethodSpec lora = new MethodSpec();
            lora.lora = new LoraSpec();
            lora.lora.targetModules = List.of("q_proj", "v_proj");
            TrainableWeights.Prepared weights = TrainableWeights.prepare(lora, model);
            Map<String, Parameter> trainable = weights.trainable();
            try (AdamW adamW = AdamW.withDefaults(trainable, 0, model.manager())) {
                // The largest float overflows the scaled loss itself, so every gradient is Inf or
                // NaN; the scale must back off until it fits.
                DynamicLossScaler scaler = new DynamicLossScaler(Float.MAX_VALUE, 2000);
                TrainingLoop<Batch> loop =
                        new TrainingLoop<>(
                                        model,
                                        new CausalLmObjective(),
                                        trainable,
                                        adamW,
                                        new LearningRateSchedule(Scheduler.CONSTANT, 1e-3, 0, 400),
                                        1.0,
                                        0)
                                .withLossScaler(scaler);
                Map<String, float[]> before = snapshot(trainable);

                StepResult first = loop.step(List.of(batch()));
                assertThat(first.metrics()).containsEntry("overflow_skipped", 1.0);
                assertThat(first.step()).as("a skipped step still counts").isEqualTo(1);
                assertThat(scaler.scale()).isEqualTo(Float.MAX_VALUE / 2);
                assertThat(snapshot(trainable))
                        .as("no weight moves on a skipped step")
                        .containsExactlyInAnyOrderEntriesOf(before);

                StepResult last = first;
                for (int i = 0; i < 300 && last.metrics().get("overflow_skipped") > 0; i++) {
                    last = loop.step(List.of(batch()));
                }
                assertThat(last.metrics()).containsEntry("overflow_skipped", 0.0);
                assertThat(scaler.scale())
                        .as("no growth before 2000 good steps")
                        .isEqualTo(Float.MAX_VALUE / 2);
                assertThat(Double.isFinite(last.gradNorm())).isTrue();
                Map<String, float[]> after = snapshot(trainable);
                boolean moved = false;
                for (Map.Entry<String, float[]> weight : after.entrySet()) {
                    for (float v : weight.getValue()) {
                        assertThat(Float.isFinite(v)).as(weight.getKey() + " finite").isTrue();
                    }
                    moved |=
                            !java.util.Arrays.equals(
                                    weight.getValue(), before.get(weight.getKey()));
                }
                assertThat(moved).as("the first good step updates the weights").isTrue();
            }
        }
    }

    private static Map<String, float[]> snapshot(Map<String, Parameter> trainable) {
        Map<String, float[]> values = new HashMap<>();
        for (Map.Entry<String, Parameter> weight : trainable.entrySet()) {
            NDArray array = weight.getValue().getArray();
            values.put(weight.getKey(), array.toType(DataType.FLOAT32, true).toFloatArray());
        }
        return values;
    }

    private static Batch batch() {
        int[][] ids = {{1, 15, 27, 300, 41, 8, 99, 2}};
        int[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}};
        int[][] positions = {{0, 1, 2, 3, 4, 5, 6, 7}};
        return new Batch(ids, ids, mask, positions, mask);
    }
}
