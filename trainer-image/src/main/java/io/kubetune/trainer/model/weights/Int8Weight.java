package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;

/**
 * A frozen weight as bitsandbytes' LLM.int8 stores it: {@code CB} (int8, {@code [out, in]}) and
 * {@code SCB} (the float32 absmax of each row). A pass dequantizes it as bitsandbytes' CPU training
 * path does, {@code CB * (SCB * (1/127))}, then casts to the compute type.
 */
public final class Int8Weight implements LinearWeight {
    private final NDArray codes;
    private final NDArray rowAbsmax;

    private Int8Weight(NDArray codes, NDArray rowAbsmax) {
        this.codes = codes;
        this.rowAbsmax = rowAbsmax;
    }

    /** Quantizes {@code weight} ({@code [out, in]}, float32, row-major) after rounding to fp16. */
    public static Int8Weight quantize(float[] fp16Weight, Shape shape, NDManager manager) {
        int rows = Math.toIntExact(shape.get(0));
        int cols = Math.toIntExact(shape.get(1));
        BnbQuantization.Int8 q = BnbQuantization.int8(fp16Weight, rows, cols);
        NDArray codes = manager.create(ByteBuffer.wrap(q.codes()), shape, DataType.INT8);
        return new Int8Weight(codes, manager.create(q.rowAbsmax()));
    }

    @Override
    public NDArray dense(ParameterStore ps, NDArray like, boolean training) {
        NDManager scope = like.getManager();
        NDArray inverse127 = scope.full(new Shape(), (float) (1.0 / 127.0), DataType.FLOAT32);
        NDArray scb = Scoped.copy(rowAbsmax, scope);
        NDArray w = Scoped.copy(codes, scope).toType(DataType.FLOAT32, false);
        return w.mul(scb.mul(inverse127).expandDims(1)).toType(like.getDataType(), false);
    }

    /** {@code CB}, int8 {@code [out, in]}. */
    public NDArray codes() {
        return codes;
    }

    /** {@code SCB}, float32 {@code [out]}. */
    public NDArray rowAbsmax() {
        return rowAbsmax;
    }

    @Override
    public long residentBytes() {
        return codes.size() + rowAbsmax.size() * 4;
    }

    @Override
    public void close() {
        codes.close();
        rowAbsmax.close();
    }
}
