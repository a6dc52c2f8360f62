package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A lookup table {@code [count, width]}: token embeddings, or GPT-2's learned positions. */
public final class TokenEmbedding extends ModuleBlock {

    private final long count;
    private final long width;
    private final Parameter weight;

    /**
     * Creates the table.
     *
     * @param count number of rows (vocabulary size or positions)
     * @param width embedding width
     */
    public TokenEmbedding(long count, long width) {
        this.count = count;
        this.width = width;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(count, width))
                                .build());
    }

    /** Looks up {@code ids} (any shape of INT64); the result belongs to the ids' manager. */
    public NDArray forward(ParameterStore ps, NDArray ids, boolean training) {
        NDArray table = ps.getValue(weight, ids.getDevice(), training);
        return ids.getNDArrayInternal()
                .embedding(ids, table, SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /** Returns the table's array, for an output layer that shares it. */
    public NDArray table(ParameterStore ps, NDArray like, boolean training) {
        return ps.getValue(weight, like.getDevice(), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(width)};
    }

    /** Returns the table. */
    public Parameter weight() {
        return weight;
    }

    /** Returns the number of rows. */
    public long count() {
        return count;
    }
}
