package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Half-precision training needs casts that gradients pass through: d/dw sum(c * cast(w)) = c in w's
 * own type, as torch's {@code w.to(dtype)} gives.
 */
class DifferentiableCastTest {
    private static final float[] C = {1f, -2f, 0.5f, 3f};

    @Test
    void gradientsPassThroughADownAndAnUpCast() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {0.1f, 0.2f, 0.3f, 0.4f});
            w.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray half = DifferentiableCast.to(w, DataType.FLOAT16);
                assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
                NDArray weighted = half.mul(manager.create(C).toType(DataType.FLOAT16, false));
                collector.backward(DifferentiableCast.to(weighted, DataType.FLOAT32).sum());
            }
            assertThat(w.getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(w.getGradient().toFloatArray()).containsExactly(C);
        }
    }

    @Test
    void aCastToTheSameTypeIsTheArrayItself() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(C);
            assertThat(DifferentiableCast.to(w, DataType.FLOAT32)).isSameAs(w);
        }
    }

    /** Why the class exists: if this starts failing, DJL fixed toType and the class can go. */
    @Test
    void djlsToTypeCutsTheGraph() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(C).toType(DataType.FLOAT16, false);
            w.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = w.toType(DataType.FLOAT32, false).sum();
                assertThatThrownBy(() -> collector.backward(loss))
                        .hasMessageContaining("does not require grad");
            }
        }
    }
}
