package io.kubetune.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.kubetune.trainer.model.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepProfileTest {

    @Test
    void aProfiledLoraStepOfATinyModelAccountsForTheWholeStep() {
        ModelShape shape = ModelShape.preset("qwen2", "tiny");
        LoraStepBenchmark benchmark =
                new LoraStepBenchmark(
                                LoraStepBenchmark.Task.SFT_LORA,
                                shape,
                                2,
                                32,
                                Precision.FP32,
                                Device.cpu(),
                                false,
                                false)
                        .profiling();
        benchmark.run(1, 1);

        StepProfile profile = benchmark.profile().orElseThrow();
        double groups = profile.groups().values().stream().mapToDouble(Double::doubleValue).sum();
        // Self times do not double-count nested ops: with the time outside libtorch they make
        // up the step's wall time.
        assertThat(groups).isCloseTo(profile.wallMs(), within(profile.wallMs() * 0.01));
        assertThat(profile.profiledMs()).isLessThanOrEqualTo(profile.wallMs() * 1.001);
        assertThat(profile.ops())
                .extracting(StepProfile.OpTime::name)
                .contains("aten::mm", "aten::_softmax", "aten::_log_softmax");
        for (OpGroup g :
                new OpGroup[] {
                    OpGroup.MATMUL,
                    OpGroup.ATTENTION,
                    OpGroup.ACTIVATION,
                    OpGroup.NORM,
                    OpGroup.LOSS,
                    OpGroup.AUTOGRAD,
                    OpGroup.OPTIMIZER
                }) {
            assertThat(profile.groups().get(g)).as(g.label()).isPositive();
        }
        assertThat(profile.table("sft-lora step", 15))
                .contains("aten::mm")
                .contains("not in libtorch")
                .containsPattern("matmul/linear .* [0-9.]+%");
    }

    @Test
    void nestedOpsCountOnlyTheirOwnTimeAndTheRestIsOutsideLibtorch(@TempDir Path dir)
            throws IOException {
        // matmul 0-100 us holds mm 10-90 us; softmax 150-200 us; a backward node 300-400 us
        // holds mm 310-390; add 500-520 us runs after the backward (the optimizer).
        Path trace = dir.resolve("trace.json");
        Files.writeString(
                trace,
                "["
                        + event("aten::mm", 10, 80, "[[4, 8], [8, 4]]")
                        + ","
                        + event("aten::matmul", 0, 100, "[[4, 8], [8, 4]]")
                        + ","
                        + event("aten::_softmax", 150, 50, "[[1, 1, 1, 4, 4], [], []]")
                        + ","
                        + event("aten::mm", 310, 80, "[[4, 4], [4, 8]]")
                        + ","
                        + event("autograd::engine::evaluate_function: MmBackward0", 300, 100, "[]")
                        + ","
                        + event("aten::add", 500, 20, "[[4, 8], [4, 8], []]")
                        + "]");

        StepProfile profile = StepProfile.read(trace, 1.0, 512, 128);

        assertThat(profile.profiledMs()).isCloseTo(0.27, within(1e-9));
        assertThat(profile.ops().get(0)).isEqualTo(new StepProfile.OpTime("aten::mm", 2, 0.16));
        assertThat(profile.groups().get(OpGroup.MATMUL)).isCloseTo(0.18, within(1e-9));
        assertThat(profile.groups().get(OpGroup.ATTENTION)).isCloseTo(0.05, within(1e-9));
        assertThat(profile.groups().get(OpGroup.AUTOGRAD)).isCloseTo(0.02, within(1e-9));
        assertThat(profile.groups().get(OpGroup.OPTIMIZER)).isCloseTo(0.02, within(1e-9));
        assertThat(profile.groups().get(OpGroup.OUTSIDE)).isCloseTo(0.73, within(1e-9));
    }

    @Test
    void aPassWithoutBackwardHasNoOptimizerTime(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("trace.json");
        Files.writeString(
                trace,
                "["
                        + event("aten::mm", 0, 80, "[[4, 8], [8, 4]]")
                        + ","
                        + event("aten::tanh", 100, 20, "[[4, 128]]")
                        + "]");

        StepProfile profile = StepProfile.read(trace, 0.2, 512, 128);

        assertThat(profile.groups().get(OpGroup.OPTIMIZER)).isZero();
        assertThat(profile.groups().get(OpGroup.MATMUL)).isCloseTo(0.08, within(1e-9));
        assertThat(profile.groups().get(OpGroup.ACTIVATION)).isCloseTo(0.02, within(1e-9));
    }

    private static String event(String name, double ts, double dur, String shape) {
        return String.format(
                java.util.Locale.ROOT,
                "{\"name\": \"%s\", \"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"tid\": 1,"
                        + " \"pid\": \"CPU Functions\", \"shape\": %s, \"args\": {}}",
                name,
                ts,
                dur,
                shape);
    }
}
