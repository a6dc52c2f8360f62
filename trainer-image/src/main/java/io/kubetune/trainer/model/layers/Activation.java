package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import io.kubetune.trainer.model.Scalars;

/** The feed-forward activations of transformers' {@code ACT2FN}, computed as it computes them. */
public enum Activation {
    /** {@code gelu_new}, {@code gelu_pytorch_tanh}, {@code gelu_fast}: the tanh approximation. */
    GELU_TANH,
    /** {@code gelu}: the exact erf form. */
    GELU,
    /** {@code relu}. */
    RELU,
    /** {@code silu} (also {@code swish}): {@code x * sigmoid(x)}. */
    SILU;

    /**
     * Parses a transformers activation name.
     *
     * @param name the value of {@code activation_function} or {@code hidden_act}
     * @param key the config key, for the error message
     * @return the activation
     */
    public static Activation parse(String name, String key) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "gelu" -> GELU;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            default ->
                    throw new IllegalArgumentException(
                            key
                                    + " '"
                                    + name
                                    + "' is not supported; supported: gelu_new,"
                                    + " gelu_pytorch_tanh, gelu_fast, gelu, relu, silu");
        };
    }

    /** Applies the activation; constants are native scalars (see {@link Scalars}). */
    public NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case RELU -> ai.djl.nn.Activation.relu(x);
            case SILU -> x.mul(x.getNDArrayInternal().sigmoid());
            case GELU_TANH -> geluTanh(x);
        };
    }

    // NewGELUActivation's 0.5 * x * (1 + tanh(z)), z = sqrt(2/pi) * (x + 0.044715 * x^3), as
    // x * sigmoid(2z) (the same function: 0.5 * (1 + tanh(z)) = sigmoid(2z)) with 2z = x * (a + b
    // * x^2): 6 element-wise passes instead of 9; DJL has no gelu(approximate="tanh") kernel.
    private static NDArray geluTanh(NDArray x) {
        double a = 2 * Math.sqrt(2 / Math.PI);
        NDArray twiceZ = x.mul(x).mul(Scalars.like(x, a * 0.044715)).add(Scalars.like(x, a)).mul(x);
        return x.mul(twiceZ.getNDArrayInternal().sigmoid());
    }
}
