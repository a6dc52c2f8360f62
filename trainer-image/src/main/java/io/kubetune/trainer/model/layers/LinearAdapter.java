package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

/**
 * A PEFT adapter on a linear layer: it sees the layer's input, its output and its weight, so LoRA
 * can add to the output and DoRA can rescale it.
 */
public interface LinearAdapter {
    /**
     * Returns the adapted output.
     *
     * @param x the layer's input
     * @param y the layer's own output {@code x W^T + b}
     * @param layer the layer, for its weight and bias
     */
    NDArray apply(ParameterStore ps, NDArray x, NDArray y, LinearLayer layer, boolean training);

    /**
     * Returns the weight with this adapter folded in, as PEFT's merge computes it.
     *
     * @param weight the layer's weight {@code [out, in]} in float32
     * @param manager owns the result
     */
    NDArray merged(NDArray weight, NDManager manager);
}
