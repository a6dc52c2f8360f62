package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Copies of a weight's resident arrays into a pass's scope: an op's result belongs to its first
 * operand's manager, so working on the resident arrays directly would leak into the model's.
 */
final class Scoped {
    private Scoped() {}

    /** A copy of {@code resident} on the scope's device, owned by {@code scope}. */
    static NDArray copy(NDArray resident, NDManager scope) {
        NDArray copy = resident.toDevice(scope.getDevice(), true);
        copy.attach(scope);
        return copy;
    }
}
