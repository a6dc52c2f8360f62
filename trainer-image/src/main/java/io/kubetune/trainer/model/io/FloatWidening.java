package io.kubetune.trainer.model.io;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Widens F16 and BF16 bytes to F32 in Java, so a half-precision checkpoint never becomes a BF16
 * array on CPU (which aborts the JVM in DJL's PyTorch engine, see shared DJL-NOTES).
 */
public final class FloatWidening {

    private FloatWidening() {}

    /**
     * Writes every element of a tensor as F32.
     *
     * @param tensor the source
     * @param out where the floats go, from its current position
     */
    public static void toFloat32(TensorView tensor, FloatBuffer out) {
        ByteBuffer in = tensor.bytes();
        long n = tensor.size();
        switch (tensor.dtype()) {
            case F32 -> out.put(in.asFloatBuffer());
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    out.put(halfToFloat(in.getShort()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    out.put(bfloat16ToFloat(in.getShort()));
                }
            }
        }
    }

    /** Returns the F32 value of BF16 bits: BF16 is the upper half of an F32. */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Returns the exact F32 value of IEEE 754 binary16 bits. */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact in F32.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
