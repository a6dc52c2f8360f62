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

    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), as NewGELUActivation.
    private static NDArray geluTanh(NDArray x) {
        NDArray cube = x.mul(x).mul(x);
        NDArray inner =
                x.add(cube.mul(Scalars.like(x, 0.044715)))
                        .mul(Scalars.like(x, Math.sqrt(2.0 / Math.PI)));
        NDArray one = Scalars.like(x, 1.0);
        return x.mul(Scalars.like(x, 0.5)).mul(inner.tanh().add(one));
    }
}
