package io.kubetune.trainer.peft;

import static io.kubetune.trainer.peft.PeftReference.LLAMA;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Quantization;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.weights.Int8Weight;
import io.kubetune.trainer.model.weights.Nf4Weight;
import io.kubetune.trainer.model.weights.Quantizer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * LoRA on a quantized base (QLoRA) against transformers + PEFT + bitsandbytes 0.50.2 on CPU: the
 * same initial adapter, 5 steps, the same losses (tools/reference/make_quant_fixtures.py).
 */
class QloraParityTest {
    private static final Path QUANT = Path.of("src/test/resources/fixtures/quant");

    /**
     * Double-quantized: a few scale codes differ from bitsandbytes' CPU kernel (see
     * QuantizationParityTest), so the start is compared to 1e-3 relative like the other steps.
     */
    @Test
    void fiveQloraStepsOnADoubleQuantizedNf4BaseFollowPeftAndBitsandbytes() throws IOException {
        followsPeft(Quantization.NF4, true, QUANT.resolve("qlora-5-steps"));
    }

    @Test
    void fiveQloraStepsOnAnNf4BaseFollowPeftAndBitsandbytesFromTheSameStart() throws IOException {
        followsPeft(Quantization.NF4, false, QUANT.resolve("qlora-nf4-single-5-steps"));
    }

    @Test
    void fiveDoraStepsOnAnNf4BaseFollowPeftAndBitsandbytes() throws IOException {
        followsPeft(Quantization.NF4, false, QUANT.resolve("qdora-nf4-5-steps"));
    }

    @Test
    void fiveLoraStepsOnAnInt8BaseFollowPeftAndBitsandbytes() throws IOException {
        followsPeft(Quantization.INT8, null, QUANT.resolve("qlora-int8-5-steps"));
    }

    private static void followsPeft(Quantization quantization, Boolean doubleQuant, Path dir)
            throws IOException {
        MethodSpec method = new MethodSpec();
        method.quantization = quantization;
        method.doubleQuant = doubleQuant;
        try (PretrainedModel model =
                PretrainedModel.load(
                        LLAMA,
                        Device.cpu(),
                        Precision.FP32,
                        Heads.LM,
                        Quantizer.of(method).orElseThrow())) {
            assertThat(model.block().layerLinears())
                    .as("every linear of the decoder layers is held quantized")
                    .hasSize(2 * 7)
                    .allMatch(
                            l ->
                                    quantization == Quantization.NF4
                                            ? l.storage() instanceof Nf4Weight
                                            : l.storage() instanceof Int8Weight);
            assertThat(model.block().lmHead())
                    .extracting(LinearLayer::storage)
                    .isNotInstanceOfAny(Nf4Weight.class, Int8Weight.class);
            Adapters adapters =
                    new LoraMethod()
                            .read(
                                    dir.resolve("initial-adapter"),
                                    model.block(),
                                    DataType.FLOAT32,
                                    model.manager());
            PeftReference.followsLosses(
                    model, adapters.trainable(), dir, !Boolean.TRUE.equals(doubleQuant));
        }
    }
}
