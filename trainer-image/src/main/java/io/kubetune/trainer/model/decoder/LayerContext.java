package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.decoder.PositionEncoding.Positions;

/**
 * What every layer of one forward pass shares, computed once by the decoder.
 *
 * @param ps the parameter store
 * @param attentionBias the additive attention mask {@code [batch or 1, 1, seq, prefix + past +
 *     seq]}
 * @param positions the pass's encoded positions
 * @param cache earlier keys and values to read and extend, or null
 * @param training whether this pass is differentiated
 * @param prefix keys and values before all others (prefix tuning), or null
 */
public record LayerContext(
        ParameterStore ps,
        NDArray attentionBias,
        Positions positions,
        KvCache cache,
        boolean training,
        PastPrefix prefix) {

    /** A context with no prefix. */
    public LayerContext(
            ParameterStore ps,
            NDArray attentionBias,
            Positions positions,
            KvCache cache,
            boolean training) {
        this(ps, attentionBias, positions, cache, training, null);
    }
}
