package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.ModuleBlock;
import io.kubetune.trainer.model.layers.Norm;

/** One pre-norm decoder layer: norm, attention, residual; norm, feed-forward, residual. */
public final class DecoderLayer extends ModuleBlock {

    private final Norm attentionNorm;
    private final CausalSelfAttention attention;
    private final Norm feedForwardNorm;
    private final FeedForward feedForward;

    /**
     * Creates layer {@code index}.
     *
     * @param config the decoder's shape
     * @param index the layer's index
     */
    public DecoderLayer(DecoderConfig config, int index) {
        int hidden = config.hidden();
        attentionNorm = addChildBlock("attention_norm", config.norm().create(hidden));
        attention =
                addChildBlock(
                        "attention", new CausalSelfAttention(config.attention(), hidden, index));
        feedForwardNorm = addChildBlock("feed_forward_norm", config.norm().create(hidden));
        feedForward = addChildBlock("feed_forward", new FeedForward(config.feedForward(), hidden));
    }

    /** Applies the layer to hidden states {@code [batch, seq, hidden]}. */
    public NDArray forward(LayerContext ctx, NDArray x) {
        return feedForwardBlock(ctx, attentionBlock(ctx, x));
    }

    /** The first half: {@code x + attention(norm(x))}. */
    public NDArray attentionBlock(LayerContext ctx, NDArray x) {
        return x.add(attention.forward(ctx, attentionNorm.forward(ctx.ps(), x, ctx.training())));
    }

    /** The second half: {@code h + feedForward(norm(h))}. */
    public NDArray feedForwardBlock(LayerContext ctx, NDArray h) {
        ParameterStore ps = ctx.ps();
        boolean training = ctx.training();
        return h.add(feedForward.forward(ps, feedForwardNorm.forward(ps, h, training), training));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(LayerContext, x)");
    }

    /** Returns the norm before attention (GPT-2's ln_1, Llama's input_layernorm). */
    public Norm attentionNorm() {
        return attentionNorm;
    }

    /** Returns the attention. */
    public CausalSelfAttention attention() {
        return attention;
    }

    /** Returns the norm before the feed-forward (ln_2, post_attention_layernorm). */
    public Norm feedForwardNorm() {
        return feedForwardNorm;
    }

    /** Returns the feed-forward. */
    public FeedForward feedForward() {
        return feedForward;
    }
}
