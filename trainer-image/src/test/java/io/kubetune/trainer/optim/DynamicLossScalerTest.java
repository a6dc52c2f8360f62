package io.kubetune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fp16 loss scaling: gradients come back unscaled, an overflow is detected (the step skipped) and
 * the scale backs off, and it grows again after a run of good steps.
 */
class DynamicLossScalerTest {

    @Test
    void gradientsAreThoseOfTheUnscaledLoss() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Parameter x = parameter(manager, new float[] {0.5f, -0.25f, 0.001f}, DataType.FLOAT16);
            DynamicLossScaler scaler = new DynamicLossScaler(1024f, 2000);

            backward(scaler, x);

            assertThat(scaler.unscale(List.of(x))).isTrue();
            float[] gradient =
                    x.getArray().getGradient().toType(DataType.FLOAT32, false).toFloatArray();
            // d/dx sum(x^2) = 2x, to fp16 precision.
            assertThat(gradient[0]).isCloseTo(1.0f, org.assertj.core.data.Offset.offset(1e-3f));
            assertThat(gradient[1]).isCloseTo(-0.5f, org.assertj.core.data.Offset.offset(1e-3f));
            assertThat(gradient[2]).isCloseTo(0.002f, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void anOverflowIsReportedAndTheScaleBacksOffThenGrowsAgain() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // 2 * 100 * 65536 overflows fp16 (max 65504).
            Parameter x = parameter(manager, new float[] {100f}, DataType.FLOAT16);
            DynamicLossScaler scaler = new DynamicLossScaler(65536f, 2);

            backward(scaler, x);
            assertThat(scaler.unscale(List.of(x))).isFalse();
            scaler.update();
            assertThat(scaler.scale()).isEqualTo(32768f);

            for (int step = 0; step < 2; step++) {
                Parameter small = parameter(manager, new float[] {0.01f}, DataType.FLOAT16);
                backward(scaler, small);
                assertThat(scaler.unscale(List.of(small))).isTrue();
                scaler.update();
            }
            assertThat(scaler.scale()).isEqualTo(65536f);
        }
    }

    private static void backward(DynamicLossScaler scaler, Parameter x) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray array = x.getArray();
            NDArray loss = array.mul(array).sum();
            collector.backward(scaler.scale(loss));
        }
    }

    private static Parameter parameter(NDManager manager, float[] values, DataType type) {
        NDArray array = manager.create(values).toType(type, false);
        array.setRequiresGradient(true);
        return Parameter.builder()
                .setName("x")
                .setType(Parameter.Type.WEIGHT)
                .optArray(array)
                .build();
    }
}
