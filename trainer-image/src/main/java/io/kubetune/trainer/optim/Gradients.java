package io.kubetune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

/** Access to a parameter's gradient that does not leak a handle into the model's manager. */
final class Gradients {
    private Gradients() {}

    /**
     * getGradient() makes a new handle owned by the weight's manager on every call; this moves it
     * to {@code scratch}, whose closing frees the handle but not the gradient itself.
     */
    static NDArray of(Parameter parameter, NDManager scratch) {
        NDArray grad = parameter.getArray().getGradient();
        grad.attach(scratch);
        return grad;
    }
}
