package io.kubetune.trainer.model.io;

import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * How a checkpoint tensor is rearranged into a model parameter: optionally transposed (GPT-2's
 * Conv1D keeps weights as {@code [in, out]}), then optionally cut to a range of rows (GPT-2's fused
 * {@code c_attn} holds q, k and v one after the other).
 *
 * @param transpose whether a 2-D tensor is transposed first
 * @param rowStart first row kept (of dimension 0, after transposing)
 * @param rowEnd row after the last one kept, or -1 for all
 */
public record WeightLayout(boolean transpose, long rowStart, long rowEnd) {

    /** The tensor as it is. */
    public static final WeightLayout AS_IS = new WeightLayout(false, 0, -1);

    /** A 2-D tensor transposed. */
    public static final WeightLayout TRANSPOSED = new WeightLayout(true, 0, -1);

    /** Returns this layout restricted to rows {@code [start, end)}. */
    public WeightLayout rows(long start, long end) {
        return new WeightLayout(transpose, start, end);
    }

    /** Returns whether the layout leaves the tensor unchanged. */
    public boolean isIdentity() {
        return !transpose && rowStart == 0 && rowEnd < 0;
    }

    /** Returns the shape of the result for a source of shape {@code source}. */
    public Shape apply(Shape source) {
        long[] dims = source.getShape().clone();
        if (transpose) {
            requireMatrix(source);
            dims = new long[] {dims[1], dims[0]};
        }
        if (rowEnd >= 0) {
            dims[0] = rowEnd - rowStart;
        }
        return new Shape(dims);
    }

    /**
     * Copies {@code source} (shape {@code shape}, row-major) rearranged into {@code out}.
     *
     * @param source the full tensor as F32
     * @param shape its shape
     * @param out receives {@code apply(shape).size()} floats
     */
    public void copy(FloatBuffer source, Shape shape, FloatBuffer out) {
        if (transpose) {
            requireMatrix(shape);
            int rows = Math.toIntExact(shape.get(0));
            int cols = Math.toIntExact(shape.get(1));
            long end = rowEnd < 0 ? cols : rowEnd;
            for (long c = rowStart; c < end; c++) {
                for (int r = 0; r < rows; r++) {
                    out.put(source.get((int) (r * (long) cols + c)));
                }
            }
        } else if (rowEnd < 0 && rowStart == 0) {
            out.put(source.duplicate());
        } else {
            long rowLength = shape.size() / shape.get(0);
            FloatBuffer rows = source.duplicate();
            rows.position((int) (rowStart * rowLength)).limit((int) (rowEnd * rowLength));
            out.put(rows);
        }
    }

    private static void requireMatrix(Shape shape) {
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("only a 2-D tensor can be transposed, not " + shape);
        }
    }
}
