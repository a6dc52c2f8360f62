package io.kubetune.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** The floating-point type the model computes in. */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16),
    BF16(DataType.BFLOAT16);

    /** Compute capability (major * 10 + minor) from which GPUs compute bf16 natively. */
    static final int BF16_CAPABILITY = 80;

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
     * The precision a job's {@code precision} means on a device: {@code auto} is fp32 on the CPU,
     * bf16 on a GPU that computes it natively (compute capability 8.0 or newer), fp16 (with loss
     * scaling when training) on an older GPU.
     *
     * @throws IllegalArgumentException for bf16 where it cannot run
     */
    public static Precision choose(
            io.kubetune.api.v1alpha1.Precision requested, Device device, DeviceProbe probe) {
        boolean bf16Native =
                device.isGpu() && probe.computeCapability(device.getDeviceId()) >= BF16_CAPABILITY;
        Precision chosen =
                switch (requested == null ? io.kubetune.api.v1alpha1.Precision.AUTO : requested) {
                    case AUTO -> !device.isGpu() ? FP32 : bf16Native ? BF16 : FP16;
                    case FP32 -> FP32;
                    case FP16 -> FP16;
                    case BF16 -> BF16;
                };
        chosen.checkSupportedOn(device);
        if (chosen == BF16 && !bf16Native) {
            throw new IllegalArgumentException(
                    "precision bf16 needs a GPU of compute capability 8.0 or newer (this one: "
                            + probe.computeCapability(device.getDeviceId()) / 10.0
                            + "): use precision fp16 or auto");
        }
        return chosen;
    }

    /** The job-spec value naming this precision. */
    public io.kubetune.api.v1alpha1.Precision toSpec() {
        return io.kubetune.api.v1alpha1.Precision.valueOf(name());
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
