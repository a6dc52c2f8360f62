package io.kubetune.trainer.train.stage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.peft.PeftMethod;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The reference model a preference stage compares against is the base model: under LoRA the same
 * weights with adapters off (and on again after), under full fine-tuning a frozen copy.
 */
class ReferenceModelTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final long[] IDS = {5, 17, 300, 42, 1001, 7};

    @Test
    void adaptersDisabledGiveTheBaseOutputsInsideTheScopeAndTheAdaptedOnesAfter()
            throws IOException {
        try (PretrainedModel model = load();
                NDManager scope = NDManager.newBaseManager()) {
            NDArray base = logits(model, scope);
            Adapters adapters = lora(model);
            NDArray adapted = logits(model, scope);
            assertThat(maxDiff(adapted, base))
                    .as("the adapters change the model")
                    .isGreaterThan(1e-3f);

            try (Adapters.Disabled off = adapters.disabled()) {
                assertThat(maxDiff(logits(model, scope), base)).isZero();
                try (Adapters.Disabled nested = adapters.disabled()) {
                    assertThat(maxDiff(logits(model, scope), base)).isZero();
                }
                assertThat(maxDiff(logits(model, scope), base)).as("after a nested scope").isZero();
            }
            assertThat(maxDiff(logits(model, scope), adapted)).as("after the scope").isZero();

            try (StageContext context = new StageContext(spec(), model, adapters, () -> null)) {
                NDArray reference = context.referenceModel().apply(m -> logits(m, scope));
                assertThat(maxDiff(reference, base)).isZero();
            }
            assertThat(maxDiff(logits(model, scope), adapted)).isZero();
        }
    }

    @Test
    void withoutAdaptersTheReferenceIsAFrozenCopyThatTrainingDoesNotMove() throws IOException {
        try (PretrainedModel model = load();
                NDManager scope = NDManager.newBaseManager();
                StageContext context = new StageContext(spec(), model, null, () -> load())) {
            NDArray base = logits(model, scope);
            ReferenceModel reference = context.referenceModel();
            // A training step's worth of change to the trained model's weights.
            for (Parameter p : model.block().getParameters().values()) {
                p.getArray().addi(0.01f);
            }
            assertThat(maxDiff(logits(model, scope), base)).isGreaterThan(1e-3f);
            assertThat(maxDiff(reference.apply(m -> logits(m, scope)), base)).isZero();
            assertThat(context.referenceModel()).as("made once").isSameAs(reference);
            reference.apply(
                    m -> {
                        m.block()
                                .getParameters()
                                .values()
                                .forEach(p -> assertThat(p.requiresGradient()).isFalse());
                        return null;
                    });
        }
    }

    private static Adapters lora(PretrainedModel model) {
        MethodSpec method = new MethodSpec();
        method.type = MethodType.LORA;
        Adapters adapters =
                PeftMethod.of(MethodType.LORA)
                        .orElseThrow()
                        .inject(model.block(), method, DataType.FLOAT32, model.manager());
        // PEFT starts B at zero (no change); a trained adapter has moved it.
        adapters.trainable().values().forEach(p -> p.getArray().addi(0.05f));
        return adapters;
    }

    private static NDArray logits(PretrainedModel model, NDManager scope) {
        NDArray input = scope.create(IDS).expandDims(0);
        return model.block().logits(model.parameterStore(), ModelInput.of(input), false);
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    private static PretrainedModel load() throws IOException {
        return PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
    }

    private static FineTuneJobSpec spec() {
        return new FineTuneJobSpec();
    }
}
