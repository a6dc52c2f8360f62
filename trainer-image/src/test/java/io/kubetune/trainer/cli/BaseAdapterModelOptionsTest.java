package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** An EvalJob's spec.model.adapter is folded into the model it evaluates: PEFT's logits. */
class BaseAdapterModelOptionsTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final Path ADAPTER = Path.of("src/test/resources/fixtures/peft/peft-written");

    @Test
    void theModelsAdapterIsMergedBeforeTheModelIsUsed() throws Exception {
        ModelOptions options = new ModelOptions();
        options.device = "cpu";
        options.precision = "fp32";
        options.model = LLAMA;
        options.baseAdapter = ADAPTER;
        try (PretrainedModel model = options.load();
                NDManager scope = NDManager.newBaseManager();
                SafetensorsFile expected =
                        SafetensorsFile.open(ADAPTER.resolve("reference_logits.safetensors"));
                TensorLoader loader = new TensorLoader()) {
            NDArray input = scope.create(new long[] {5, 17, 300, 42, 1001, 7, 2048, 99, 3, 64});
            NDArray ours =
                    model.block()
                            .logits(
                                    model.parameterStore(),
                                    ModelInput.of(input.expandDims(0)),
                                    false)
                            .squeeze(0);
            NDArray peft =
                    loader.load(
                            expected.tensor("logits"), WeightLayout.AS_IS, scope, DataType.FLOAT32);
            assertThat(ours.sub(peft).abs().max().getFloat()).isLessThanOrEqualTo(1e-5f);
        }
    }
}
