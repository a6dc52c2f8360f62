package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;

/**
 * A frozen weight as bitsandbytes' quantize_4bit stores it in NF4: two codes a byte, a scale per
 * block of 64, and with double quantization the scales themselves 8-bit (dynamic map, blocks of
 * 256, minus their mean). A pass dequantizes it as bitsandbytes does ({@code code * absmax} in
 * float32, nested scales {@code dynamic[q] * nestedAbsmax + offset}), then casts to the compute
 * type.
 */
public final class Nf4Weight implements LinearWeight {
    private final Shape shape;
    private final NDArray packed;
    private final NDArray absmax;
    private final NestedScales nested;
    private final NDArray pairTable;

    /** Double-quantized scales: 8-bit codes of {@code absmax - offset} and their own absmax. */
    public record NestedScales(NDArray dynamicMap, NDArray nestedAbsmax, NDArray offset) {}

    private Nf4Weight(
            Shape shape, NDArray packed, NDArray absmax, NestedScales nested, NDArray pairTable) {
        this.shape = shape;
        this.packed = packed;
        this.absmax = absmax;
        this.nested = nested;
        this.pairTable = pairTable;
    }

    /**
     * Quantizes {@code weight} ({@code shape}, float32, row-major).
     *
     * @param doubleQuant whether the scales are quantized too
     */
    public static Nf4Weight quantize(
            float[] weight, Shape shape, boolean doubleQuant, NDManager manager) {
        if (weight.length % BnbQuantization.NF4_BLOCK != 0) {
            throw new IllegalArgumentException(
                    "nf4 quantization needs a weight whose size is a multiple of 64, not " + shape);
        }
        BnbQuantization.Nf4 q = BnbQuantization.nf4(weight);
        NDArray packed =
                manager.create(
                        ByteBuffer.wrap(q.packed()), new Shape(q.packed().length), DataType.UINT8);
        NDArray table = pairTable(manager);
        if (!doubleQuant) {
            return new Nf4Weight(shape, packed, manager.create(q.absmax()), null, table);
        }
        // offset = absmax.mean(), computed by the engine as torch computes it.
        NDArray scales = manager.create(q.absmax());
        float offset = scales.mean().getFloat();
        scales.close();
        float[] centred = q.absmax().clone();
        for (int i = 0; i < centred.length; i++) {
            centred[i] -= offset;
        }
        BnbQuantization.Blockwise8 codes = BnbQuantization.blockwise8(centred);
        NDArray absmaxCodes =
                manager.create(
                        ByteBuffer.wrap(codes.codes()),
                        new Shape(codes.codes().length),
                        DataType.UINT8);
        NestedScales nestedScales =
                new NestedScales(
                        manager.create(BnbQuantization.dynamicMap()).reshape(256, 1),
                        manager.create(codes.absmax()),
                        manager.create(new float[] {offset}));
        return new Nf4Weight(shape, packed, absmaxCodes, nestedScales, table);
    }

    /** Row b: the two NF4 values byte b stands for (high nibble, low nibble). */
    private static NDArray pairTable(NDManager manager) {
        float[] code = BnbQuantization.nf4CodeBook();
        float[] pairs = new float[512];
        for (int b = 0; b < 256; b++) {
            pairs[2 * b] = code[b >> 4];
            pairs[2 * b + 1] = code[b & 15];
        }
        return manager.create(pairs, new Shape(256, 2));
    }

    @Override
    public NDArray dense(ParameterStore ps, NDArray like, boolean training) {
        NDManager scope = like.getManager();
        NDArray index = Scoped.copy(packed, scope).toType(DataType.INT64, false);
        NDArray table = Scoped.copy(pairTable, scope);
        NDArray values =
                index.getNDArrayInternal()
                        .embedding(index, table, SparseFormat.DENSE)
                        .singletonOrThrow();
        NDArray w = values.reshape(-1, BnbQuantization.NF4_BLOCK).mul(scales(scope).expandDims(1));
        return w.reshape(shape).toType(like.getDataType(), false);
    }

    /** The float32 scale of every block of 64, dequantized when nested; in {@code scope}. */
    public NDArray scales(NDManager scope) {
        if (nested == null) {
            return Scoped.copy(absmax, scope);
        }
        NDArray index = Scoped.copy(absmax, scope).toType(DataType.INT64, false);
        NDArray codes =
                index.getNDArrayInternal()
                        .embedding(
                                index, Scoped.copy(nested.dynamicMap(), scope), SparseFormat.DENSE)
                        .singletonOrThrow()
                        .reshape(-1);
        long blocks = absmax.size();
        NDArray perBlock =
                Scoped.copy(nested.nestedAbsmax(), scope)
                        .expandDims(1)
                        .repeat(1, BnbQuantization.NESTED_BLOCK)
                        .reshape(-1)
                        .get("0:" + blocks);
        return codes.mul(perBlock).add(Scoped.copy(nested.offset(), scope));
    }

    /** The packed codes, uint8 {@code [size / 2]}. */
    public NDArray packed() {
        return packed;
    }

    /** The scales as stored: float32, or uint8 codes under double quantization. */
    public NDArray absmax() {
        return absmax;
    }

    /** The nested scales, or null without double quantization. */
    public NestedScales nested() {
        return nested;
    }

    @Override
    public long residentBytes() {
        long bytes = packed.size() + absmax.size() * absmax.getDataType().getNumOfBytes();
        return nested == null ? bytes : bytes + nested.nestedAbsmax().size() * 4 + 4;
    }

    @Override
    public void close() {
        packed.close();
        absmax.close();
        pairTable.close();
        if (nested != null) {
            nested.dynamicMap().close();
            nested.nestedAbsmax().close();
            nested.offset().close();
        }
    }
}
