package io.kubetune.trainer.model.weights;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * bitsandbytes 0.50.2's CPU quantization, in float32 arithmetic step for step so that codes and
 * scales come out bit for bit as bitsandbytes makes them (checked against its output in
 * QuantizationParityTest).
 */
public final class BnbQuantization {
    /** bitsandbytes' NF4 code book (functional.get_4bit_type("nf4")). */
    static final float[] NF4 = {
        -1.0f,
        -0.6961928009986877f,
        -0.5250730514526367f,
        -0.39491748809814453f,
        -0.28444138169288635f,
        -0.18477343022823334f,
        -0.09105003625154495f,
        0.0f,
        0.07958029955625534f,
        0.16093020141124725f,
        0.24611230194568634f,
        0.33791524171829224f,
        0.44070982933044434f,
        0.5626170039176941f,
        0.7229568362236023f,
        1.0f
    };

    /** NF4 blocks: 64 weights share one scale (bitsandbytes' and QLoRA's default). */
    public static final int NF4_BLOCK = 64;

    /** Double quantization: the scales in blocks of 256, 8-bit. */
    public static final int NESTED_BLOCK = 256;

    private static final float[] NF4_BOUNDS = midpoints(NF4);
    private static final float[] DYNAMIC = readDynamicMap();

    /** bitsandbytes' CPU lookup table for 8-bit codes: 65,536 bins over [-1, 1]. */
    private static final int LUT_BINS = 65536;

    private static final byte[] DYNAMIC_LUT = lookupTable(DYNAMIC);

    private BnbQuantization() {}

    /** LLM.int8 row-wise quantization of a weight already rounded to fp16. */
    public record Int8(byte[] codes, float[] rowAbsmax) {}

    /** NF4 codes, two per byte (first in the high nibble), and the scale of each block of 64. */
    public record Nf4(byte[] packed, float[] absmax) {}

    /** 8-bit blockwise codes (dynamic map) and the absmax of each block. */
    public record Blockwise8(byte[] codes, float[] absmax) {}

    /**
     * int8_vectorwise_quant: {@code SCB = max |w|} per row, {@code CB = round(w * ((1 / SCB) *
     * 127))}, half to even.
     */
    public static Int8 int8(float[] fp16Weight, int rows, int cols) {
        byte[] codes = new byte[fp16Weight.length];
        float[] scb = new float[rows];
        for (int r = 0; r < rows; r++) {
            float max = 0f;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Math.abs(fp16Weight[r * cols + c]));
            }
            scb[r] = max;
            // torch computes 127.0 / t as t.reciprocal() * 127.
            float scale = (1f / max) * 127f;
            for (int c = 0; c < cols; c++) {
                codes[r * cols + c] = (byte) Math.rint(fp16Weight[r * cols + c] * scale);
            }
        }
        return new Int8(codes, scb);
    }

    /**
     * quantize_4bit (nf4): per block of 64 {@code absmax = max |w|}, {@code x = clamp(w * (1 /
     * absmax), -1, 1)}, the code the number of NF4 midpoints below {@code x} (torch.bucketize: a
     * value on a midpoint goes low).
     */
    public static Nf4 nf4(float[] weight) {
        int n = weight.length;
        int blocks = (n + NF4_BLOCK - 1) / NF4_BLOCK;
        float[] absmax = new float[blocks];
        byte[] packed = new byte[(n + 1) / 2];
        for (int b = 0; b < blocks; b++) {
            int start = b * NF4_BLOCK;
            int end = Math.min(n, start + NF4_BLOCK);
            float max = 0f;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(weight[i]));
            }
            max = Math.max(max, 1e-38f);
            absmax[b] = max;
            boolean remainder = end - start < NF4_BLOCK;
            float inverse = 1f / max;
            for (int i = start; i < end; i++) {
                // A last partial block is divided, full ones multiplied by the inverse.
                float x = remainder ? weight[i] / max : weight[i] * inverse;
                int code = bucket(Math.max(-1f, Math.min(1f, x)));
                packed[i / 2] |= (byte) ((i % 2 == 0) ? code << 4 : code);
            }
        }
        if (n % 2 == 1) {
            packed[n / 2] |= (byte) bucket(0f); // bitsandbytes pads with a zero, code 7
        }
        return new Nf4(packed, absmax);
    }

    /**
     * quantize_blockwise with the dynamic map, as bitsandbytes' CPU kernel (quantize_cpu) does it:
     * per block {@code absmax = max |a|}, {@code v = clamp(a * (1 / absmax), -1, 1)}, and the code
     * read from a table of 65,536 bins over [-1, 1] ({@code (uint16) (((v + 1) * 0.5) * 65535 +
     * 0.5)}), each bin holding the code nearest its left edge. Near zero, where codes are closer
     * than a bin, that is not the nearest code; matching it is what makes the codes bit-exact.
     */
    public static Blockwise8 blockwise8(float[] values) {
        int n = values.length;
        int blocks = (n + NESTED_BLOCK - 1) / NESTED_BLOCK;
        float[] absmax = new float[blocks];
        byte[] codes = new byte[n];
        for (int b = 0; b < blocks; b++) {
            int start = b * NESTED_BLOCK;
            int end = Math.min(n, start + NESTED_BLOCK);
            float max = 0f;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            absmax[b] = max;
            if (max == 0f) {
                continue; // bitsandbytes writes code 0 for an all-zero block
            }
            float inverse = 1f / max;
            for (int i = start; i < end; i++) {
                float v = Math.max(-1f, Math.min(1f, values[i] * inverse));
                int bin = (int) ((v + 1f) * 0.5f * (LUT_BINS - 1) + 0.5f);
                codes[i] = DYNAMIC_LUT[bin];
            }
        }
        return new Blockwise8(codes, absmax);
    }

    /**
     * Bin i of [-1, 1] (left edge {@code -1 + 2i / 65535}): the first code whose upper midpoint is
     * not below it.
     */
    private static byte[] lookupTable(float[] code) {
        float[] midpoints = new float[code.length - 1];
        for (int i = 0; i < midpoints.length; i++) {
            midpoints[i] = 0.5f * (code[i] + code[i + 1]);
        }
        byte[] lut = new byte[LUT_BINS];
        int index = 0;
        for (int i = 0; i < LUT_BINS; i++) {
            float edge = -1f + (2f * i) / (LUT_BINS - 1);
            while (index < midpoints.length && midpoints[index] < edge) {
                index++;
            }
            lut[i] = (byte) index;
        }
        return lut;
    }

    /** The dynamic map's 256 values, ascending. */
    public static float[] dynamicMap() {
        return DYNAMIC.clone();
    }

    /** The NF4 code book's 16 values, ascending. */
    public static float[] nf4CodeBook() {
        return NF4.clone();
    }

    private static int bucket(float x) {
        int code = 0;
        while (code < NF4_BOUNDS.length && NF4_BOUNDS[code] < x) {
            code++;
        }
        return code;
    }

    private static float[] midpoints(float[] code) {
        float[] bounds = new float[code.length - 1];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = (code[i] + code[i + 1]) / 2f;
        }
        return bounds;
    }

    private static float[] readDynamicMap() {
        float[] map = new float[256];
        try (InputStream in = BnbQuantization.class.getResourceAsStream("dynamic-map.txt");
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int i = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    map[i++] = Float.parseFloat(line.trim());
                }
            }
            if (i != map.length) {
                throw new IllegalStateException("dynamic-map.txt holds " + i + " values, not 256");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
