package io.kubetune.trainer.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ScaledDotProductAttention;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/**
 * GPT-2 self-attention. The checkpoint's fused {@code c_attn} is split into separate q, k and v
 * projections on load, so each can carry its own LoRA adapter later.
 */
public final class Gpt2Attention extends ModuleBlock {

    private final int layerIndex;
    private final int heads;
    private final int headDim;
    private final double scale;
    private final LinearLayer query;
    private final LinearLayer key;
    private final LinearLayer value;
    private final LinearLayer output;

    /**
     * Creates the attention of one layer.
     *
     * @param config the model config
     * @param layerIndex the layer's index, for the cache and layer-wise scaling
     */
    public Gpt2Attention(Gpt2Config config, int layerIndex) {
        this.layerIndex = layerIndex;
        heads = config.heads();
        headDim = config.headDim();
        double s = 1.0 / Math.sqrt(headDim);
        scale = config.scaleByLayer() ? s / (layerIndex + 1) : s;
        int width = config.width();
        query = addChildBlock("q", new LinearLayer(width, width, true));
        key = addChildBlock("k", new LinearLayer(width, width, true));
        value = addChildBlock("v", new LinearLayer(width, width, true));
        output = addChildBlock("c_proj", new LinearLayer(width, width, true));
    }

    /**
     * Attends.
     *
     * @param ps the parameter store
     * @param x hidden states {@code [batch, seq, width]}
     * @param bias the additive attention mask
     * @param cache earlier keys and values, or null
     * @param training whether this pass is differentiated
     * @return {@code [batch, seq, width]}
     */
    public NDArray forward(
            ParameterStore ps, NDArray x, NDArray bias, KvCache cache, boolean training) {
        NDArray q = splitHeads(query.forward(ps, x, training));
        NDArray k = splitHeads(key.forward(ps, x, training));
        NDArray v = splitHeads(value.forward(ps, x, training));
        if (cache != null) {
            NDArray[] kv = cache.append(layerIndex, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray attended = ScaledDotProductAttention.compute(q, k, v, bias, scale);
        return output.forward(ps, mergeHeads(attended), training);
    }

    private NDArray splitHeads(NDArray x) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        return x.reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
    }

    private static NDArray mergeHeads(NDArray x) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(2);
        return x.transpose(0, 2, 1, 3).reshape(batch, seq, -1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(ps, x, bias, cache, training)");
    }

    LinearLayer query() {
        return query;
    }

    LinearLayer key() {
        return key;
    }

    LinearLayer value() {
        return value;
    }

    LinearLayer output() {
        return output;
    }
}
