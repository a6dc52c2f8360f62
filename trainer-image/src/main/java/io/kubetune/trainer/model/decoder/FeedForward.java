package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.Activation;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/**
 * A layer's feed-forward: {@code down(act(up(x)))} (GPT-2), or gated {@code down(act(gate(x)) *
 * up(x))} (Llama's SwiGLU).
 */
public final class FeedForward extends ModuleBlock {

    private final Activation activation;
    private final LinearLayer gate;
    private final LinearLayer up;
    private final LinearLayer down;

    /**
     * Creates the feed-forward of one layer.
     *
     * @param spec its shape
     * @param hidden the hidden width
     */
    public FeedForward(FeedForwardSpec spec, int hidden) {
        activation = spec.activation();
        int inner = spec.intermediate();
        gate =
                spec.gated()
                        ? addChildBlock("gate", new LinearLayer(hidden, inner, spec.bias()))
                        : null;
        up = addChildBlock("up", new LinearLayer(hidden, inner, spec.bias()));
        down = addChildBlock("down", new LinearLayer(inner, hidden, spec.bias()));
    }

    /** Applies the feed-forward to {@code [batch, seq, hidden]}. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray inner =
                gate == null
                        ? activation.apply(up.forward(ps, x, training))
                        : activation
                                .apply(gate.forward(ps, x, training))
                                .mul(up.forward(ps, x, training));
        return down.forward(ps, inner, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    /** Returns the gate projection, or null when the feed-forward is not gated. */
    public LinearLayer gate() {
        return gate;
    }

    /** Returns the up projection. */
    public LinearLayer up() {
        return up;
    }

    /** Returns the down projection. */
    public LinearLayer down() {
        return down;
    }
}
