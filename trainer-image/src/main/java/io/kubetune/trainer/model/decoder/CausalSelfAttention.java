package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/**
 * Causal self-attention of every family: q, k and v projections, positions applied to q and k (a
 * no-op for learned positions, RoPE otherwise), grouped-query heads, the KV cache, the output
 * projection; a prefix's keys and values (prefix tuning) go in front of all others. A family's
 * fused checkpoint tensors (GPT-2's {@code c_attn}) are split into q, k and v on load, so each can
 * carry its own adapter.
 */
public final class CausalSelfAttention extends ModuleBlock {

    private final int layerIndex;
    private final AttentionSpec spec;
    private final double scale;
    private final LinearLayer query;
    private final LinearLayer key;
    private final LinearLayer value;
    private final LinearLayer output;

    /**
     * Creates the attention of one layer.
     *
     * @param spec the heads and biases
     * @param hidden the hidden width
     * @param layerIndex the layer's index, for the cache and layer-wise scaling
     */
    public CausalSelfAttention(AttentionSpec spec, int hidden, int layerIndex) {
        this.layerIndex = layerIndex;
        this.spec = spec;
        scale = spec.scale(layerIndex);
        int qWidth = spec.heads() * spec.headDim();
        int kvWidth = spec.kvHeads() * spec.headDim();
        query = addChildBlock("q", new LinearLayer(hidden, qWidth, spec.qkvBias()));
        key = addChildBlock("k", new LinearLayer(hidden, kvWidth, spec.qkvBias()));
        value = addChildBlock("v", new LinearLayer(hidden, kvWidth, spec.qkvBias()));
        output = addChildBlock("o", new LinearLayer(qWidth, hidden, spec.outputBias()));
    }

    /**
     * Attends.
     *
     * @param ctx the pass's shared state
     * @param x normalized hidden states {@code [batch, seq, hidden]}
     * @return {@code [batch, seq, hidden]}
     */
    public NDArray forward(LayerContext ctx, NDArray x) {
        ParameterStore ps = ctx.ps();
        boolean training = ctx.training();
        NDArray q =
                ctx.positions().rotate(splitHeads(query.forward(ps, x, training), spec.heads()));
        NDArray k =
                ctx.positions().rotate(splitHeads(key.forward(ps, x, training), spec.kvHeads()));
        NDArray v = splitHeads(value.forward(ps, x, training), spec.kvHeads());
        if (ctx.cache() != null) {
            NDArray[] kv = ctx.cache().append(layerIndex, k, v);
            k = kv[0];
            v = kv[1];
        }
        if (ctx.prefix() != null) {
            // The prefix stays out of the cache: each pass puts it in front again.
            k = ctx.prefix().keysBefore(layerIndex, k);
            v = ctx.prefix().valuesBefore(layerIndex, v);
        }
        NDArray attended = ScaledDotProductAttention.compute(q, k, v, ctx.attentionBias(), scale);
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray merged =
                attended.transpose(0, 2, 1, 3).reshape(batch, seq, spec.heads() * spec.headDim());
        return output.forward(ps, merged, training);
    }

    private NDArray splitHeads(NDArray x, int count) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        return x.reshape(batch, seq, count, spec.headDim()).transpose(0, 2, 1, 3);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(LayerContext, x)");
    }

    /** Returns the query projection. */
    public LinearLayer query() {
        return query;
    }

    /** Returns the key projection. */
    public LinearLayer key() {
        return key;
    }

    /** Returns the value projection. */
    public LinearLayer value() {
        return value;
    }

    /** Returns the output projection. */
    public LinearLayer output() {
        return output;
    }
}
