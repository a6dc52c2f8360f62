package io.kubetune.trainer.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.layers.LayerNormLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/** One GPT-2 block: pre-norm attention and pre-norm feed-forward, each with a residual. */
public final class Gpt2Layer extends ModuleBlock {

    private final LayerNormLayer norm1;
    private final Gpt2Attention attention;
    private final LayerNormLayer norm2;
    private final Gpt2Mlp mlp;

    /** Creates layer {@code index}. */
    public Gpt2Layer(Gpt2Config config, int index) {
        norm1 = addChildBlock("ln_1", new LayerNormLayer(config.width(), config.layerNormEps()));
        attention = addChildBlock("attn", new Gpt2Attention(config, index));
        norm2 = addChildBlock("ln_2", new LayerNormLayer(config.width(), config.layerNormEps()));
        mlp = addChildBlock("mlp", new Gpt2Mlp(config));
    }

    /** Applies the layer to hidden states {@code [batch, seq, width]}. */
    public NDArray forward(
            ParameterStore ps, NDArray x, NDArray bias, KvCache cache, boolean training) {
        NDArray h =
                x.add(attention.forward(ps, norm1.forward(ps, x, training), bias, cache, training));
        return h.add(mlp.forward(ps, norm2.forward(ps, h, training), training));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(ps, x, bias, cache, training)");
    }

    LayerNormLayer norm1() {
        return norm1;
    }

    Gpt2Attention attention() {
        return attention;
    }

    LayerNormLayer norm2() {
        return norm2;
    }

    Gpt2Mlp mlp() {
        return mlp;
    }
}
