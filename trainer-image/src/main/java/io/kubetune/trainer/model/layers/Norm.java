package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/** A normalization over the last axis: LayerNorm (GPT-2) or RMSNorm (Llama and its kin). */
public interface Norm extends Block {

    /** Normalizes hidden states {@code [..., width]}. */
    NDArray forward(ParameterStore ps, NDArray x, boolean training);

    /** Returns the scale. */
    Parameter weight();

    /** Returns the shift, or null when the norm has none. */
    Parameter bias();
}
