package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * How a linear layer holds its weight {@code W [out, in]}: as a trainable parameter ({@link
 * DenseWeight}) or frozen and quantized as bitsandbytes stores it ({@link Int8Weight}, {@link
 * Nf4Weight}). The forward pass, LoRA/DoRA, merging and export all see the weight through {@link
 * #dense}, so a new storage plugs in here only.
 */
public interface LinearWeight extends AutoCloseable {
    /**
     * Returns {@code W [out, in]} in {@code like}'s type on its device; a quantized weight is
     * dequantized into {@code like}'s manager for this pass only.
     */
    NDArray dense(ParameterStore ps, NDArray like, boolean training);

    /** Bytes this weight keeps resident between passes. */
    long residentBytes();

    /** Frees what {@link #dense} does not own (a quantized weight's codes). */
    @Override
    void close();
}
