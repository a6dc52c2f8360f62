package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * A change of floating-point type that gradients pass through. DJL's {@code NDArray.toType} runs
 * under a no-grad guard (its JNI {@code torchTo}), so any cast between a trainable weight and the
 * loss cut the graph: half-precision training failed at backward with "element 0 of tensors does
 * not require grad". An in-place copy into a fresh array of the target type is torch's {@code
 * copy_}, which autograd differentiates (the gradient comes back in the source's type).
 */
public final class DifferentiableCast {
    private static final NDIndex ALL = new NDIndex("...");

    private DifferentiableCast() {}

    /**
     * Returns {@code x} in {@code type}, in {@code x}'s manager; {@code x} itself when it already
     * is (so fp32 runs pay nothing).
     */
    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        NDArray cast = x.getManager().create(x.getShape(), type);
        cast.set(ALL, x);
        return cast;
    }
}
