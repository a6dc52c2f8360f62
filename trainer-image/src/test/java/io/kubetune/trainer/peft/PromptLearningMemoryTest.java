package io.kubetune.trainer.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.loss.LabelledLogProbs;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prompt learning's passes leave nothing behind in the model's manager: what a step derives from
 * the virtual token parameters belongs to the step (DJL puts an op's result in its first operand's
 * manager), in training and in cached inference alike.
 */
class PromptLearningMemoryTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"PROMPT_TUNING, MLP", "PREFIX_TUNING, MLP", "P_TUNING, MLP", "P_TUNING, LSTM"})
    void stepsKeepTheModelsArrayCountFlat(MethodType type, PromptLearningSpec.Encoder encoder)
            throws IOException {
        try (PretrainedModel model =
                PretrainedModel.load(PeftReference.LLAMA, Device.cpu(), Precision.FP32)) {
            MethodSpec method = new MethodSpec();
            method.type = type;
            method.lora = null;
            method.promptLearning = new PromptLearningSpec();
            method.promptLearning.numVirtualTokens = 3;
            method.promptLearning.encoder = encoder;
            method.promptLearning.encoderHiddenSize = 8;
            Adapters adapters =
                    new PromptLearningMethod(type, null)
                            .inject(model.block(), method, DataType.FLOAT32, model.manager());
            step(model, adapters);
            int after1 = model.manager().getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                step(model, adapters);
            }
            assertThat(model.manager().getManagedArrays().size())
                    .as("arrays in the model's manager after 6 steps vs 1")
                    .isEqualTo(after1);
        }
    }

    private static void step(PretrainedModel model, Adapters adapters) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray ids = scope.randomInteger(0, 4000, new Shape(2, 8), DataType.INT64);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ModelOutput output =
                        model.block().forward(model.parameterStore(), ModelInput.of(ids), true);
                NDArray loss = LabelledLogProbs.of(output, ids).sum().neg();
                collector.backward(loss);
                assertThat(loss.getFloat()).isFinite();
            }
            Gradients.zero(adapters.trainable().values());
            try (KvCache cache = new KvCache(scope, model.block().numLayers())) {
                model.block()
                        .logits(model.parameterStore(), ModelInput.of(ids).withCache(cache), false);
                model.block()
                        .logits(
                                model.parameterStore(),
                                ModelInput.of(ids.get(":, :1")).withCache(cache),
                                false);
            }
        }
    }
}
