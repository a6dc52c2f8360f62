package io.kubetune.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** The floating-point type the model computes in. */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16),
    BF16(DataType.BFLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** Returns the engine's data type. */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Parses {@code fp32}, {@code fp16} or {@code bf16} (also {@code float32}, {@code float16},
     * {@code bfloat16}).
     */
    public static Precision parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "fp32", "float32", "f32" -> FP32;
            case "fp16", "float16", "f16", "half" -> FP16;
            case "bf16", "bfloat16" -> BF16;
            default ->
                    throw new IllegalArgumentException(
                            "precision '" + name + "' is not one of fp32, fp16, bf16");
        };
    }

    /**
     * Fails when this precision cannot run on the device.
     *
     * @param device where the model will run
     */
    public void checkSupportedOn(Device device) {
        if (this == BF16 && !device.isGpu()) {
            throw new IllegalArgumentException(
                    "precision bf16 is not supported on CPU: DJL's PyTorch engine aborts the JVM"
                            + " on BF16 arrays there. Use precision fp32 or fp16 on CPU, or bf16"
                            + " with device cuda.");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
