package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;

/**
 * PPO's critic on the policy's own hidden states: one value per position from {@code Linear(hidden,
 * 1)} with a bias, as TRL's ValueHead ({@code v_head.summary}) that LLaMA-Factory's PPO puts on the
 * shared backbone. Dropout is left out: TRL's PPO trainers switch dropout off. {@link
 * ValueHeadFile} saves and restores it in LLaMA-Factory's {@code value_head.safetensors}.
 */
public final class ValueHead extends ModuleBlock {
    private final LinearLayer summary;

    /**
     * A head initialised as torch.nn.Linear's default: weight and bias uniform in ±1/√hidden.
     *
     * @param hidden the backbone's hidden size
     */
    public ValueHead(long hidden) {
        summary = addChildBlock("summary", new LinearLayer(hidden, 1, true));
        UniformInitializer uniform = new UniformInitializer((float) (1 / Math.sqrt(hidden)));
        summary.weight().setInitializer(uniform);
        summary.bias().setInitializer(uniform);
    }

    /** Creates the weights in {@code manager}. */
    public ValueHead initialized(NDManager manager, DataType type) {
        initialize(manager, type, new Shape(1, summary.inFeatures()));
        return this;
    }

    /**
     * @param hidden [batch, seq, hidden] the backbone's last hidden states
     * @return [batch, seq] the values, in {@code hidden}'s manager
     */
    public NDArray values(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray out = summary.forward(ps, hidden, training);
        return out.squeeze(-1);
    }

    /** The linear layer, {@code [1, hidden]} weight and {@code [1]} bias. */
    public LinearLayer summary() {
        return summary;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(values(ps, inputs.singletonOrThrow(), training));
    }
}
