package io.kubetune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/** SwiGLU feed-forward: {@code down(silu(gate(x)) * up(x))}. */
public final class LlamaMlp extends ModuleBlock {

    private final LinearLayer gate;
    private final LinearLayer up;
    private final LinearLayer down;

    /** Creates the feed-forward of one layer. */
    public LlamaMlp(LlamaConfig config) {
        boolean bias = config.mlpBias();
        gate =
                addChildBlock(
                        "gate_proj", new LinearLayer(config.hidden(), config.intermediate(), bias));
        up =
                addChildBlock(
                        "up_proj", new LinearLayer(config.hidden(), config.intermediate(), bias));
        down =
                addChildBlock(
                        "down_proj", new LinearLayer(config.intermediate(), config.hidden(), bias));
    }

    /** Applies the feed-forward. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray g = gate.forward(ps, x, training);
        NDArray silu = g.mul(g.getNDArrayInternal().sigmoid());
        return down.forward(ps, silu.mul(up.forward(ps, x, training)), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    LinearLayer gate() {
        return gate;
    }

    LinearLayer up() {
        return up;
    }

    LinearLayer down() {
        return down;
    }
}
