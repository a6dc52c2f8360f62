package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.loss.CausalLmLoss;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guards the workaround for DJL's scalar bug: if any differentiated op took a Java number, its
 * scalar would be freed by a GC before the backward pass reads it. The gradients of one batch must
 * be bit-identical whether or not a GC (and fresh direct buffers over the freed memory) runs
 * between forward and backward.
 */
class GradientGcSafetyTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2"})
    void gradientsDoNotDependOnAGcBeforeBackward(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        long[] ids = fixture.cases().get(2).inputIds();
        try (PretrainedModel model =
                PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32)) {
            Map<String, float[]> quiet = gradients(model, ids, false);
            Map<String, float[]> collected = gradients(model, ids, true);
            assertThat(collected.keySet()).containsExactlyElementsOf(quiet.keySet());
            for (String parameter : quiet.keySet()) {
                // Arrays.mismatch: AssertJ's element-wise comparison is slow on 250k floats.
                assertThat(Arrays.mismatch(collected.get(parameter), quiet.get(parameter)))
                        .as("first differing element of the gradient of %s", parameter)
                        .isEqualTo(-1);
            }
            assertThat(quiet.values().stream().anyMatch(g -> g[0] != 0)).isTrue();
        }
    }

    private static Map<String, float[]> gradients(
            PretrainedModel model, long[] ids, boolean gcBeforeBackward) {
        Gradients.zero(model.block());
        try (NDManager step = model.manager().newSubManager()) {
            NDArray input = step.create(ids, new Shape(1, ids.length));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        model.block().logits(model.parameterStore(), ModelInput.of(input), true);
                NDArray loss = CausalLmLoss.mean(logits, input);
                if (gcBeforeBackward) {
                    churnFreedMemory();
                }
                collector.backward(loss);
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            try (NDArray gradient = p.getValue().getArray().getGradient()) {
                out.put(p.getKey(), gradient.toFloatArray());
            }
        }
        return out;
    }

    // Free unreachable direct buffers, then fill new ones so freed memory holds other values.
    private static void churnFreedMemory() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            List<ByteBuffer> filler = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                filler.add(b);
            }
        }
    }
}
