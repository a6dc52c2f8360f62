package io.kubetune.trainer.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/** GPT-2's feed-forward: {@code c_proj(act(c_fc(x)))}. */
public final class Gpt2Mlp extends ModuleBlock {

    private final Gpt2Activation activation;
    private final LinearLayer up;
    private final LinearLayer down;

    /** Creates the feed-forward of one layer. */
    public Gpt2Mlp(Gpt2Config config) {
        activation = config.activation();
        up = addChildBlock("c_fc", new LinearLayer(config.width(), config.inner(), true));
        down = addChildBlock("c_proj", new LinearLayer(config.inner(), config.width(), true));
    }

    /** Applies the feed-forward. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return down.forward(ps, activation.apply(up.forward(ps, x, training)), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    LinearLayer up() {
        return up;
    }

    LinearLayer down() {
        return down;
    }
}
