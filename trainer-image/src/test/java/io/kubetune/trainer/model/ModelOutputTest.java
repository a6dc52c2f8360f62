package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.fixtures.ReferenceFixture.PromptCase;
import org.junit.jupiter.api.Test;

/** The heads on a pass's hidden states run only when asked, on all of them or on a part. */
class ModelOutputTest {

    @Test
    void logitsOfAPartOfTheHiddenStatesAreThatPartOfTheLogits() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama");
        PromptCase c = fixture.cases().get(0);
        try (PretrainedModel model =
                        PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
                NDManager step = model.manager().newSubManager()) {
            NDArray ids = step.create(c.inputIds(), new Shape(1, c.inputIds().length));
            ModelOutput output =
                    model.block().forward(model.parameterStore(), ModelInput.of(ids), false);
            NDArray last = output.logitsOf(output.hidden().get(new NDIndex(":, -1:")));
            NDArray expected = output.logits().get(new NDIndex(":, -1:"));
            assertThat(last.getShape()).isEqualTo(new Shape(1, 1, model.block().vocabSize()));
            // Equal up to float rounding: a matmul over 1 row may sum in another order than over
            // all.
            assertThat(last.toFloatArray()).containsExactly(expected.toFloatArray(), within(1e-5f));
        }
    }

    @Test
    void aRewardModelHasNoLogitsAndACausalLmNoScores() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama");
        try (PretrainedModel lm =
                        PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
                PretrainedModel reward =
                        PretrainedModel.load(
                                fixture.dir(),
                                Device.cpu(),
                                Precision.FP32,
                                Heads.NEW_REWARD_MODEL);
                NDManager step = lm.manager().newSubManager()) {
            ModelInput input = ModelInput.of(step.create(new long[] {1, 2, 3}, new Shape(1, 3)));
            ModelOutput scored = reward.block().forward(reward.parameterStore(), input, false);
            assertThat(scored.scores().getShape()).isEqualTo(new Shape(1));
            assertThatThrownBy(scored::logits).hasMessageContaining("without its LM head");
            ModelOutput generated = lm.block().forward(lm.parameterStore(), input, false);
            assertThatThrownBy(generated::scores).hasMessageContaining("without a score head");
        }
    }
}
