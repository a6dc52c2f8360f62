package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars for arithmetic inside differentiated code.
 *
 * <p>{@code NDArray.mul(Number)} and friends build the scalar in a Java buffer that is freed at
 * once while autograd keeps a pointer to it, so gradients come out wrong after a GC (shared
 * DJL-NOTES). A scalar made natively in the activation's manager lives until that manager closes,
 * which is after the backward pass.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * Returns a 0-d array of {@code like}'s type, device and manager.
     *
     * @param like the array the scalar will meet
     * @param value the value
     * @return the scalar
     */
    public static NDArray like(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
