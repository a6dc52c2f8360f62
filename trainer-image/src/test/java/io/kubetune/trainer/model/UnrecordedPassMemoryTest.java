package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pass that records no gradients (evaluation, generation, reference and reward scoring) frees
 * each decoder layer's intermediates as it goes: DJL frees an array only with its manager, so they
 * used to stay until the step ended (a hellaswag batch of long contexts peaked at 16 GB for it).
 */
class UnrecordedPassMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void anUnrecordedPassLeavesNoLayerIntermediatesInItsStep(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        long[] ids = fixture.cases().get(2).inputIds();
        try (PretrainedModel model =
                PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32)) {
            int layers = model.block().numLayers();
            int unrecorded = arraysLeftByAPass(model, ids, false);
            int recorded = arraysLeftByAPass(model, ids, true);
            System.out.printf(
                    "%s, %d layers: arrays left in the step, unrecorded %d, recorded %d%n",
                    name, layers, unrecorded, recorded);
            // A recorded pass must keep what its backward reads, at least a few arrays a layer.
            assertThat(recorded - unrecorded).isGreaterThanOrEqualTo(5 * layers);
        }
    }

    private static int arraysLeftByAPass(PretrainedModel model, long[] ids, boolean recorded) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray input = step.create(ids, new Shape(1, ids.length));
            if (recorded) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    model.block().logits(model.parameterStore(), ModelInput.of(input), true);
                    return step.getManagedArrays().size();
                }
            }
            model.block().logits(model.parameterStore(), ModelInput.of(input), false);
            return step.getManagedArrays().size();
        }
    }
}
