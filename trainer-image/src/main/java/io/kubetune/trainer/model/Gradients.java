package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Collection;

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
        zero(block.getParameters().values());
    }

    /** Sets the gradients of the given parameters to zero (LoRA adapters live outside blocks). */
    public static void zero(Collection<Parameter> parameters) {
        for (Parameter parameter : parameters) {
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                zero(parameter.getArray());
            }
        }
    }

    /**
     * The parameter's gradient as a handle owned by {@code scratch}: closing scratch frees the
     * handle, not the gradient, so callers do not leak a handle per step.
     */
    public static NDArray handle(Parameter parameter, NDManager scratch) {
        NDArray grad = parameter.getArray().getGradient();
        grad.attach(scratch);
        return grad;
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
