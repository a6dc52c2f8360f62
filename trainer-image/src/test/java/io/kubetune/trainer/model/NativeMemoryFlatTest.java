package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.bench.ModelShape;
import io.kubetune.trainer.loss.CausalLmLoss;
import org.junit.jupiter.api.Test;

/**
 * 200 forward+backward steps must leave the engine's memory where it was after 10: every array a
 * step makes lives in that step's sub-manager, and the managers that outlive steps hold the same
 * number of arrays at step 10 and step 200.
 */
class NativeMemoryFlatTest {

    private static final int STEPS = 200;

    @Test
    void forwardBackwardStepsKeepArrayCountsFlat() {
        // Llama exercises every op GPT-2 uses but GELU, plus RoPE, RMSNorm and GQA.
        ModelShape shape = ModelShape.preset("llama", "tiny");
        try (PretrainedModel model =
                PretrainedModel.random(shape.toConfig(), Device.cpu(), Precision.FP32)) {
            long[] atStep10 = null;
            for (int step = 1; step <= STEPS; step++) {
                runStep(model, shape, step);
                if (step == 10) {
                    atStep10 = counts(model);
                }
            }
            long[] atStep200 = counts(model);
            assertThat(atStep200).as("arrays in model, system managers").isEqualTo(atStep10);
        }
    }

    private static void runStep(PretrainedModel model, ModelShape shape, int step) {
        try (NDManager stepManager = model.manager().newSubManager()) {
            NDArray ids =
                    stepManager.randomInteger(0, shape.vocab(), new Shape(2, 8), DataType.INT64);
            ParameterStore ps = model.parameterStore();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.block().forward(ps, ModelInput.of(ids), true);
                NDArray loss = CausalLmLoss.mean(logits, ids);
                collector.backward(loss);
                assertThat(loss.getFloat()).as("loss at step %d", step).isFinite();
            }
            Gradients.zero(model.block());
        }
    }

    private static long[] counts(PretrainedModel model) {
        NDManager root = model.manager();
        while (root.getParentManager() != null) {
            root = root.getParentManager();
        }
        // The root is the engine's system manager: its count covers every live manager.
        return new long[] {
            model.manager().getManagedArrays().size(), root.getManagedArrays().size()
        };
    }
}
