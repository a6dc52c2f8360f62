package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Precision;
import io.kubetune.trainer.model.io.SafetensorsDtype;
import io.kubetune.trainer.model.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DoRA over a half-precision model keeps its adapter (A, B and the magnitude) in float32 and
 * computes in float32, as PEFT does (autocast_adapter_dtype), like LoRA.
 */
class HalfPrecisionDoraTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @TempDir Path dir;

    @Test
    void fp16DoraOnTheCpuKeepsFp32AdaptersAndLearnsAsFp32Does() throws IOException {
        List<StepResult> fp32 = new ArrayList<>();
        run(dora(Precision.FP32), Device.cpu(), dir.resolve("fp32"), fp32);
        List<StepResult> fp16 = new ArrayList<>();
        FineTuneRun.Outcome half =
                run(dora(Precision.FP16), Device.cpu(), dir.resolve("fp16"), fp16);

        assertThat(fp16).hasSize(3);
        for (int i = 0; i < fp16.size(); i++) {
            assertThat(fp16.get(i).loss())
                    .as("step %d loss, fp16 vs fp32", i + 1)
                    .isFinite()
                    .isCloseTo(fp32.get(i).loss(), within(1e-2));
        }
        assertFp32Adapter(half);
    }

    /** bf16 is GPU-only (DJL-NOTES: BF16 ends the JVM on the CPU); runs where a GPU is seen. */
    @Test
    void bf16DoraOnAGpuKeepsFp32AdaptersAndAFiniteLoss() throws IOException {
        Assumptions.assumeTrue(Engine.getInstance().getGpuCount() > 0, "no GPU here");
        List<StepResult> steps = new ArrayList<>();
        FineTuneRun.Outcome outcome =
                run(dora(Precision.BF16), Device.gpu(), dir.resolve("bf16"), steps);
        assertThat(steps).isNotEmpty().allSatisfy(s -> assertThat(s.loss()).isFinite());
        assertFp32Adapter(outcome);
    }

    private static void assertFp32Adapter(FineTuneRun.Outcome outcome) throws IOException {
        try (SafetensorsFile adapter =
                SafetensorsFile.open(outcome.adapterDir().resolve("adapter_model.safetensors"))) {
            assertThat(adapter.names()).anyMatch(n -> n.endsWith("lora_magnitude_vector"));
            for (String name : adapter.names()) {
                assertThat(adapter.tensor(name).dtype()).as(name).isEqualTo(SafetensorsDtype.F32);
            }
        }
    }

    private static FineTuneJobSpec dora(Precision precision) {
        FineTuneJobSpec spec = FineTuneRunTest.spec(3);
        spec.method.lora.dora = true;
        spec.training.precision = precision;
        return spec;
    }

    private FineTuneRun.Outcome run(
            FineTuneJobSpec spec, Device device, Path out, List<StepResult> steps)
            throws IOException {
        TrainingListener recorder = TinyJob.recorder(steps);
        FineTuneRun.Inputs inputs =
                new FineTuneRun.Inputs(
                        LLAMA,
                        List.of(FineTuneRunTest.instructions(dir.resolve("train.jsonl"))),
                        null);
        return new FineTuneRun(spec, inputs, out, device, List.of(recorder)).run(() -> false);
    }
}
