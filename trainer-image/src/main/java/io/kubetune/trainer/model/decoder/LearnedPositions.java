package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.ModuleBlock;
import io.kubetune.trainer.model.layers.TokenEmbedding;

/** GPT-2's learned absolute positions ({@code wpe}): a table row added to each token. */
public final class LearnedPositions extends ModuleBlock implements PositionEncoding {

    private final TokenEmbedding table;

    /**
     * Creates the table.
     *
     * @param count how many positions it holds
     * @param width the hidden width
     */
    public LearnedPositions(int count, int width) {
        table = addChildBlock("table", new TokenEmbedding(count, width));
    }

    @Override
    public Positions at(
            ParameterStore ps, NDArray positionIds, DataType dataType, boolean training) {
        NDArray rows = table.forward(ps, positionIds, training);
        return new Positions() {
            @Override
            public NDArray embed(NDArray tokenEmbeddings) {
                return tokenEmbeddings.add(rows);
            }

            @Override
            public NDArray rotate(NDArray heads) {
                return heads;
            }
        };
    }

    /** Returns the table's weight, {@code [count, width]}. */
    public Parameter weight() {
        return table.weight();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(table.forward(ps, inputs.singletonOrThrow(), training));
    }
}
