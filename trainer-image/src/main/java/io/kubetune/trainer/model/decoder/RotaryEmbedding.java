package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * Rotary position embedding as Llama applies it: angles {@code position * inv_freq} in F32, the
 * half-split {@code rotate_half} convention, {@code x * cos + rotate_half(x) * sin}.
 */
public final class RotaryEmbedding implements PositionEncoding {

    private final float[] inverseFrequencies;
    private final int dim;

    /** Creates the embedding from its parameters. */
    public RotaryEmbedding(RopeParameters parameters) {
        inverseFrequencies = parameters.inverseFrequencies();
        dim = parameters.dim();
    }

    @Override
    public Positions at(
            ParameterStore ps, NDArray positionIds, DataType dataType, boolean training) {
        NDList angles = angles(positionIds, dataType);
        return new Positions() {
            @Override
            public NDArray embed(NDArray tokenEmbeddings) {
                return tokenEmbeddings;
            }

            @Override
            public NDArray rotate(NDArray heads) {
                return apply(heads, angles);
            }
        };
    }

    /**
     * Computes cos and sin for the given positions.
     *
     * @param positions {@code [batch or 1, seq]} integer positions
     * @param dataType the compute type the results are cast to
     * @return {@code (cos, sin)}, each {@code [batch or 1, 1, seq, dim]}
     */
    NDList angles(NDArray positions, DataType dataType) {
        NDManager manager = positions.getManager();
        NDArray inv =
                manager.create(inverseFrequencies, new Shape(1, 1, inverseFrequencies.length));
        NDArray pos = positions.toType(DataType.FLOAT32, false).expandDims(-1);
        NDArray freqs = pos.mul(inv);
        NDArray emb = freqs.concat(freqs, -1).expandDims(1);
        return new NDList(emb.cos().toType(dataType, false), emb.sin().toType(dataType, false));
    }

    /**
     * Rotates queries or keys.
     *
     * @param x {@code [batch, heads, seq, headDim]}
     * @param angles the result of {@link #angles}
     * @return x rotated (only the first {@code dim} channels when the rotation is partial)
     */
    NDArray apply(NDArray x, NDList angles) {
        long headDim = x.getShape().get(3);
        if (dim < headDim) {
            NDArray rotated = apply(x.get(new NDIndex("..., :{}", dim)), angles);
            return rotated.concat(x.get(new NDIndex("..., {}:", dim)), -1);
        }
        return x.mul(angles.get(0)).add(rotateHalf(x).mul(angles.get(1)));
    }

    private static NDArray rotateHalf(NDArray x) {
        long half = x.getShape().get(3) / 2;
        NDArray first = x.get(new NDIndex("..., :{}", half));
        NDArray second = x.get(new NDIndex("..., {}:", half));
        return second.neg().concat(first, -1);
    }
}
