package io.kubetune.trainer.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.kubetune.trainer.model.Scalars;

/** GPT-2's {@code activation_function} values, computed as transformers' ACT2FN does. */
public enum Gpt2Activation {
    /** {@code gelu_new}, {@code gelu_pytorch_tanh}, {@code gelu_fast}: the tanh approximation. */
    GELU_TANH,
    /** {@code gelu}: the exact erf form. */
    GELU,
    /** {@code relu}. */
    RELU;

    /** Parses a transformers activation name. */
    public static Gpt2Activation parse(String name) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "gelu" -> GELU;
            case "relu" -> RELU;
            default ->
                    throw new IllegalArgumentException(
                            "activation_function '"
                                    + name
                                    + "' is not supported; supported: gelu_new, gelu_pytorch_tanh,"
                                    + " gelu_fast, gelu, relu");
        };
    }

    /** Applies the activation; constants are native scalars (see {@link Scalars}). */
    public NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> Activation.gelu(x);
            case RELU -> Activation.relu(x);
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
