package io.kubetune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ScaledDotProductAttention;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/** Llama self-attention: rotary q and k, grouped-query heads, optional biases (Qwen2). */
public final class LlamaAttention extends ModuleBlock {

    private final int layerIndex;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final LinearLayer query;
    private final LinearLayer key;
    private final LinearLayer value;
    private final LinearLayer output;

    /** Creates the attention of layer {@code layerIndex}. */
    public LlamaAttention(LlamaConfig config, int layerIndex) {
        this.layerIndex = layerIndex;
        heads = config.heads();
        kvHeads = config.kvHeads();
        headDim = config.headDim();
        int hidden = config.hidden();
        boolean qkvBias = config.qkvBias();
        query = addChildBlock("q_proj", new LinearLayer(hidden, heads * headDim, qkvBias));
        key = addChildBlock("k_proj", new LinearLayer(hidden, kvHeads * headDim, qkvBias));
        value = addChildBlock("v_proj", new LinearLayer(hidden, kvHeads * headDim, qkvBias));
        output =
                addChildBlock(
                        "o_proj", new LinearLayer(heads * headDim, hidden, config.outputBias()));
    }

    /**
     * Attends.
     *
     * @param ps the parameter store
     * @param x hidden states {@code [batch, seq, hidden]}
     * @param rope the rotary embedding
     * @param angles cos and sin for this pass's positions
     * @param bias the additive attention mask
     * @param cache earlier keys and values, or null
     * @param training whether this pass is differentiated
     * @return {@code [batch, seq, hidden]}
     */
    public NDArray forward(
            ParameterStore ps,
            NDArray x,
            RotaryEmbedding rope,
            NDList angles,
            NDArray bias,
            KvCache cache,
            boolean training) {
        NDArray q = rope.apply(splitHeads(query.forward(ps, x, training), heads), angles);
        NDArray k = rope.apply(splitHeads(key.forward(ps, x, training), kvHeads), angles);
        NDArray v = splitHeads(value.forward(ps, x, training), kvHeads);
        if (cache != null) {
            NDArray[] kv = cache.append(layerIndex, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray attended =
                ScaledDotProductAttention.compute(q, k, v, bias, 1.0 / Math.sqrt(headDim));
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        NDArray merged = attended.transpose(0, 2, 1, 3).reshape(batch, seq, heads * headDim);
        return output.forward(ps, merged, training);
    }

    private NDArray splitHeads(NDArray x, int count) {
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        return x.reshape(batch, seq, count, headDim).transpose(0, 2, 1, 3);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(ps, x, rope, angles, ...)");
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
