package io.kubetune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.layers.ModuleBlock;
import io.kubetune.trainer.model.layers.RmsNorm;

/** One Llama decoder layer: RMSNorm, attention, residual; RMSNorm, SwiGLU, residual. */
public final class LlamaLayer extends ModuleBlock {

    private final RmsNorm inputNorm;
    private final LlamaAttention attention;
    private final RmsNorm postAttentionNorm;
    private final LlamaMlp mlp;

    /** Creates layer {@code index}. */
    public LlamaLayer(LlamaConfig config, int index) {
        inputNorm =
                addChildBlock("input_layernorm", new RmsNorm(config.hidden(), config.rmsNormEps()));
        attention = addChildBlock("self_attn", new LlamaAttention(config, index));
        postAttentionNorm =
                addChildBlock(
                        "post_attention_layernorm",
                        new RmsNorm(config.hidden(), config.rmsNormEps()));
        mlp = addChildBlock("mlp", new LlamaMlp(config));
    }

    /** Applies the layer to hidden states {@code [batch, seq, hidden]}. */
    public NDArray forward(
            ParameterStore ps,
            NDArray x,
            RotaryEmbedding rope,
            NDList angles,
            NDArray bias,
            KvCache cache,
            boolean training) {
        NDArray normed = inputNorm.forward(ps, x, training);
        NDArray h = x.add(attention.forward(ps, normed, rope, angles, bias, cache, training));
        return h.add(mlp.forward(ps, postAttentionNorm.forward(ps, h, training), training));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(ps, x, rope, angles, ...)");
    }

    RmsNorm inputNorm() {
        return inputNorm;
    }

    LlamaAttention attention() {
        return attention;
    }

    RmsNorm postAttentionNorm() {
        return postAttentionNorm;
    }

    LlamaMlp mlp() {
        return mlp;
    }
}
