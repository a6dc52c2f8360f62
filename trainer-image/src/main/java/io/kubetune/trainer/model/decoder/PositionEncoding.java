package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;

/**
 * How a decoder tells positions apart. An encoding either adds to the token embeddings (GPT-2's
 * learned table) or rotates each layer's queries and keys (RoPE); {@link #at} prepares both hooks
 * once per forward pass, and the attention calls {@link Positions#rotate}.
 */
public interface PositionEncoding {

    /**
     * Prepares what one forward pass needs from its positions.
     *
     * @param ps the parameter store
     * @param positionIds {@code [batch or 1, seq]} integer positions
     * @param dataType the compute type
     * @param training whether this pass is differentiated
     * @return the positions' hooks
     */
    Positions at(ParameterStore ps, NDArray positionIds, DataType dataType, boolean training);

    /** One forward pass's positions, encoded. */
    interface Positions {

        /** Returns the token embeddings {@code [batch, seq, hidden]} with positions added. */
        NDArray embed(NDArray tokenEmbeddings);

        /** Returns queries or keys {@code [batch, heads, seq, headDim]} with positions applied. */
        NDArray rotate(NDArray heads);
    }
}
