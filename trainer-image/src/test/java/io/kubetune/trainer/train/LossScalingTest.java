package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsDtype;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.DynamicLossScaler;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 training with dynamic loss scaling, as torch.amp.GradScaler: an overflow is skipped and
 * backs off, the scale survives a checkpoint, and a whole fp16 run on the CPU learns as fp32 does.
 */
class LossScalingTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @TempDir Path dir;

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

    @Test
    void aCheckpointKeepsTheLossScaleAndARestoredScalerContinuesFromIt() throws Exception {
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            Map<String, Parameter> trainable =
                    TrainableWeights.prepare(loraOnQv(), model).trainable();
            try (AdamW adamW = AdamW.withDefaults(trainable, 0, model.manager())) {
                DynamicLossScaler learnt = new DynamicLossScaler(Float.MAX_VALUE, 2000);
                TrainingLoop<Batch> loop = loop(model, trainable, adamW).withLossScaler(learnt);
                int good = 0;
                for (int i = 0; i < 300 && good < 3; i++) {
                    good +=
                            loop.step(List.of(batch())).metrics().get("overflow_skipped") > 0
                                    ? 0
                                    : 1;
                }
                CheckpointStore store = new CheckpointStore(dir, 1);
                Path saved =
                        store.save(
                                adamW.steps(),
                                trainable,
                                adamW,
                                learnt,
                                new CheckpointStore.TrainerState(adamW.steps(), 0, 0, 0),
                                RunSettings.of(FineTuneRunTest.spec(4)));

                // torch.amp.GradScaler.state_dict()'s names, as transformers saves scaler.pt
                assertThat(Files.readString(saved.resolve(LossScalerFile.FILE)))
                        .contains(
                                "\"scale\"",
                                "\"growth_factor\"",
                                "\"backoff_factor\"",
                                "\"growth_interval\"",
                                "\"_growth_tracker\":3");
                assertThat(Files.readString(saved.resolve(CheckpointStore.MANIFEST)))
                        .contains(LossScalerFile.FILE);
                DynamicLossScaler resumed = new DynamicLossScaler();
                store.restore(saved, trainable, adamW, resumed, model.manager());
                assertThat(resumed.stateDict()).isEqualTo(learnt.stateDict());
                assertThat(resumed.scale()).isLessThan(Float.MAX_VALUE).isGreaterThan(0f);
            }
        }
    }

    @Test
    void fp16LoraOnTheCpuLearnsAsFp32DoesAndResumesToTheSameAdapter() throws IOException {
        Path data = FineTuneRunTest.instructions(dir.resolve("train.jsonl"));
        FineTuneRun.Inputs inputs = new FineTuneRun.Inputs(LLAMA, List.of(data), null);
        List<StepResult> fp32 = new ArrayList<>();
        run(FineTuneRunTest.spec(4), inputs, dir.resolve("fp32"), fp32, () -> false);
        FineTuneJobSpec half = FineTuneRunTest.spec(4);
        half.training.precision = io.kubetune.api.v1alpha1.Precision.FP16;
        List<StepResult> fp16 = new ArrayList<>();
        FineTuneRun.Outcome straight = run(half, inputs, dir.resolve("fp16"), fp16, () -> false);

        assertThat(fp16).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(fp16.get(i).loss())
                    .as("step %d loss, fp16 vs fp32", i + 1)
                    .isCloseTo(fp32.get(i).loss(), within(1e-2));
            assertThat(fp16.get(i).metrics()).containsEntry("overflow_skipped", 0.0);
        }
        try (SafetensorsFile adapter =
                SafetensorsFile.open(straight.adapterDir().resolve("adapter_model.safetensors"))) {
            // PEFT keeps adapters in fp32 over a half-precision model (autocast_adapter_dtype)
            for (String name : adapter.names()) {
                assertThat(adapter.tensor(name).dtype()).as(name).isEqualTo(SafetensorsDtype.F32);
            }
        }
        List<StepResult> first = new ArrayList<>();
        run(half, inputs, dir.resolve("resumed"), first, () -> first.size() >= 2);
        assertThat(dir.resolve("resumed/checkpoints/step-00000002/" + LossScalerFile.FILE))
                .content()
                .contains("\"scale\":65536");
        FineTuneRun.Outcome resumed =
                run(half, inputs, dir.resolve("resumed"), new ArrayList<>(), () -> false);
        assertThat(Files.readAllBytes(resumed.adapterDir().resolve("adapter_model.safetensors")))
                .isEqualTo(
                        Files.readAllBytes(
                                straight.adapterDir().resolve("adapter_model.safetensors")));
    }

    private static FineTuneRun.Outcome run(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            Path out,
            List<StepResult> steps,
            BooleanSupplier stop)
            throws IOException {
        TrainingListener recorder = TinyJob.recorder(steps);
        return new FineTuneRun(spec, inputs, out, Device.cpu(), List.of(recorder)).run(stop);
    }

    private static MethodSpec loraOnQv() {
        MethodSpec lora = new MethodSpec();
        lora.lora = new LoraSpec();
        lora.lora.targetModules = List.of("q_proj", "v_proj");
        return lora;
    }

    private static TrainingLoop<Batch> loop(
            PretrainedModel model, Map<String, Parameter> trainable, AdamW adamW) {
        return new TrainingLoop<>(
                model,
                new CausalLmObjective(),
                trainable,
                adamW,
                new LearningRateSchedule(Scheduler.CONSTANT, 1e-3, 0, 400),
                1.0,
                0);
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
