package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Quantization;
import java.util.Optional;

/**
 * Turns a frozen linear weight, as loaded, into the quantized form a job's {@code
 * method.quantization} asks for (QLoRA's base).
 */
@FunctionalInterface
public interface Quantizer {
    /**
     * @param weight {@code [out, in]} in float32
     * @param manager owns the quantized arrays
     */
    LinearWeight quantize(NDArray weight, NDManager manager);

    /** The quantizer of {@code method} (null: the CRD's defaults); empty for {@code none}. */
    static Optional<Quantizer> of(MethodSpec method) {
        Quantization q =
                method == null || method.quantization == null
                        ? Quantization.NONE
                        : method.quantization;
        return switch (q) {
            case NONE -> Optional.empty();
            // bitsandbytes casts the weight to fp16 before LLM.int8 quantization.
            case INT8 ->
                    Optional.of(
                            (w, m) ->
                                    Int8Weight.quantize(
                                            w.toType(DataType.FLOAT16, true)
                                                    .toType(DataType.FLOAT32, false)
                                                    .toFloatArray(),
                                            w.getShape(),
                                            m));
            // Double quantization is QLoRA's (and LLaMA-Factory's) default.
            case NF4 -> {
                boolean doubleQuant = method.doubleQuant == null || method.doubleQuant;
                yield Optional.of(
                        (w, m) ->
                                Nf4Weight.quantize(w.toFloatArray(), w.getShape(), doubleQuant, m));
            }
        };
    }
}
