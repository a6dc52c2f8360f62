package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.layers.ModuleBlock;
import java.util.List;

/** A decoder-only language model: token ids in, next-token logits out. */
public abstract class CausalLm extends ModuleBlock {

    /**
     * Runs the model.
     *
     * @param ps the parameter store
     * @param input ids, optional padding mask, positions and KV cache
     * @param training whether this pass is differentiated
     * @return logits {@code [batch, seq, vocab]} in the compute type
     */
    public abstract NDArray forward(ParameterStore ps, ModelInput input, boolean training);

    /** Returns every parameter with the checkpoint tensor that fills it. */
    public abstract List<WeightBinding> weightBindings();

    /** Returns the number of decoder layers (one KV cache entry each). */
    public abstract int numLayers();

    /** Returns the vocabulary size (the logits' last axis). */
    public abstract long vocabSize();

    /** Returns the family's name, as {@code model_type} spells it. */
    public abstract String family();

    /** Reads {@code (input_ids[, attention_mask])} and returns {@code (logits)}. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ModelInput input = ModelInput.of(inputs.get(0));
        if (inputs.size() > 1) {
            input = input.withAttentionMask(inputs.get(1));
        }
        return new NDList(forward(ps, input, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(vocabSize())};
    }
}
