package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.fixtures.ReferenceFixture.PromptCase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input embeddings instead of ids (the seam prompt tuning uses): the ids' own embeddings give the
 * same logits as the ids, with learned positions (gpt2) and rotary ones (llama) alike.
 */
class InputEmbedsTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void embeddingsOfIdsGiveTheLogitsOfIds(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        PromptCase c = fixture.cases().get(2);
        try (PretrainedModel model =
                        PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
                NDManager step = model.manager().newSubManager()) {
            ParameterStore ps = model.parameterStore();
            NDArray ids = step.create(c.inputIds(), new Shape(1, c.inputIds().length));
            NDArray fromIds = model.block().logits(ps, ModelInput.of(ids), false);
            NDArray embeds = model.block().embed(ps, ids, false);
            assertThat(embeds.getShape()).isEqualTo(new Shape(1, c.inputIds().length, 64));
            NDArray fromEmbeds = model.block().logits(ps, ModelInput.ofEmbeds(embeds), false);
            float[] a = fromIds.toFloatArray();
            float[] b = fromEmbeds.toFloatArray();
            assertThat(b).hasSize(a.length);
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).as("logit %d", i).isEqualTo(a[i]);
            }
        }
    }
}
