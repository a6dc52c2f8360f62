package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/**
 * Zeroes gradients, which DJL's PyTorch {@code GradientCollector} leaves accumulating.
 *
 * <p>Two DJL leaks are avoided: each {@code getGradient()} returns a new handle in the parameter's
 * manager (closed here; DJL's own {@code zeroGradients} keeps them), and {@code set(index, Number)}
 * creates its scalar in the target's manager (so the zero is made in a scratch manager).
 */
public final class Gradients {

    private static final NDIndex ALL = new NDIndex("...");

    private Gradients() {}

    /** Sets every trainable parameter's gradient of {@code block} to zero. */
    public static void zero(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                zero(parameter.getArray());
            }
        }
    }

    private static void zero(NDArray array) {
        if (!array.hasGradient()) {
            return;
        }
        try (NDArray gradient = array.getGradient();
                NDManager scratch = array.getManager().newSubManager()) {
            // A fill, not x - x, so a NaN gradient is cleared too.
            gradient.set(ALL, scratch.zeros(new Shape(), gradient.getDataType()));
        }
    }
}
