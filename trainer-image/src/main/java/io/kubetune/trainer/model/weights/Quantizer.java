package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Quantization;
import java.util.Locale;
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
        return method == null ? Optional.empty() : of(method.quantization, method.doubleQuant);
    }

    /**
     * The quantizer of a {@code quantization} setting, as a FineTuneJob's method, an EvalJob's spec
     * and the {@code --quantization} option give it; empty for {@code none} or null.
     *
     * @param doubleQuant nf4 only; null means true (QLoRA's and LLaMA-Factory's default)
     */
    static Optional<Quantizer> of(Quantization quantization, Boolean doubleQuant) {
        Quantization q = quantization == null ? Quantization.NONE : quantization;
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
            case NF4 -> {
                boolean nested = doubleQuant == null || doubleQuant;
                yield Optional.of(
                        (w, m) -> Nf4Weight.quantize(w.toFloatArray(), w.getShape(), nested, m));
            }
        };
    }

    /**
     * Reads {@code --quantization}: none, int8 or nf4.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    static Quantization parse(String name) {
        return switch (name == null ? "none" : name.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> Quantization.NONE;
            case "int8" -> Quantization.INT8;
            case "nf4" -> Quantization.NF4;
            default ->
                    throw new IllegalArgumentException(
                            "--quantization "
                                    + name
                                    + " is not one of none, int8, nf4: pick one of them");
        };
    }
}
