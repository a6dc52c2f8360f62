package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.loss.CausalLmLoss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A right-padded batch gives each sequence the logits it gets alone, and a loss whose padded labels
 * (-100) do not count: the batch's mean is the token-weighted mean of the single losses.
 */
class PaddingTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "mistral"})
    void paddedBatchMatchesSequencesAlone(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        long[] shortIds = fixture.cases().get(0).inputIds();
        long[] longIds = fixture.cases().get(2).inputIds();
        int width = longIds.length;
        long[] ids = new long[2 * width];
        long[] mask = new long[2 * width];
        long[] labels = new long[2 * width];
        for (int t = 0; t < width; t++) {
            boolean real = t < shortIds.length;
            ids[t] = real ? shortIds[t] : 0;
            mask[t] = real ? 1 : 0;
            labels[t] = real ? shortIds[t] : CausalLmLoss.IGNORE_INDEX;
            ids[width + t] = longIds[t];
            mask[width + t] = 1;
            labels[width + t] = longIds[t];
        }
        try (PretrainedModel model =
                        PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
                NDManager step = model.manager().newSubManager()) {
            Shape shape = new Shape(2, width);
            ModelInput input =
                    ModelInput.of(step.create(ids, shape))
                            .withAttentionMask(step.create(mask, shape));
            NDArray logits = model.block().logits(model.parameterStore(), input, false);
            float[] alone = single(model, step, shortIds);
            float[] batched = logits.get(new NDIndex("0, 0:{}", shortIds.length)).toFloatArray();
            assertThat(maxAbsDiff(alone, batched)).isLessThan(1e-5);

            double loss = CausalLmLoss.mean(logits, step.create(labels, shape)).getFloat();
            var c0 = fixture.cases().get(0);
            var c2 = fixture.cases().get(2);
            int n0 = shortIds.length - 1;
            int n2 = longIds.length - 1;
            double expected = (c0.loss() * n0 + c2.loss() * n2) / (n0 + n2);
            assertThat(loss).isCloseTo(expected, within(1e-5));
        }
    }

    private static float[] single(PretrainedModel model, NDManager step, long[] ids) {
        NDArray input = step.create(ids, new Shape(1, ids.length));
        return model.block()
                .logits(model.parameterStore(), ModelInput.of(input), false)
                .toFloatArray();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
