package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.Scalars;

/**
 * The low-rank update PEFT adds to a linear layer: {@code scaling * B(A(dropout(x)))}, with {@code
 * A [r, in]} and {@code B [out, r]} as PEFT stores them.
 */
public final class LoraAdapter {
    private final Parameter a;
    private final Parameter b;
    private final double scaling;
    private final float dropout;

    private LoraAdapter(Parameter a, Parameter b, double scaling, float dropout) {
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /**
     * PEFT's default initialisation: A kaiming-uniform (bound 1/sqrt(in)), B zero, so training
     * starts from the base model exactly.
     */
    public static LoraAdapter initialised(
            long in,
            long out,
            int rank,
            double scaling,
            float dropout,
            DataType type,
            NDManager manager) {
        double bound = 1.0 / Math.sqrt(in);
        NDArray aValues =
                manager.randomUniform(
                                (float) -bound,
                                (float) bound,
                                new Shape(rank, in),
                                DataType.FLOAT32)
                        .toType(type, false);
        NDArray bValues = manager.zeros(new Shape(out, rank), type);
        return of(aValues, bValues, scaling, dropout);
    }

    /** An adapter holding the given A and B (e.g. read from a PEFT adapter). */
    public static LoraAdapter of(NDArray aValues, NDArray bValues, double scaling, float dropout) {
        return new LoraAdapter(
                trainable("lora_A", aValues), trainable("lora_B", bValues), scaling, dropout);
    }

    /** PEFT's scaling: alpha / r, or alpha / sqrt(r) with rsLoRA. */
    public static double scaling(int alpha, int rank, boolean rslora) {
        return rslora ? alpha / Math.sqrt(rank) : (double) alpha / rank;
    }

    private static Parameter trainable(String name, NDArray values) {
        Parameter parameter =
                Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        values.setRequiresGradient(true);
        parameter.setArray(values);
        return parameter;
    }

    /** The update to add to the layer's output; belongs to {@code x}'s manager. */
    public NDArray delta(ParameterStore ps, NDArray x, boolean training) {
        NDArray input =
                training && dropout > 0
                        ? x.getNDArrayInternal().dropout(x, dropout, true).singletonOrThrow()
                        : x;
        NDArray wa = ps.getValue(a, x.getDevice(), training);
        NDArray wb = ps.getValue(b, x.getDevice(), training);
        NDArray low = input.getNDArrayInternal().linear(input, wa, null).singletonOrThrow();
        NDArray update = low.getNDArrayInternal().linear(low, wb, null).singletonOrThrow();
        return update.mul(Scalars.like(update, scaling));
    }

    public Parameter a() {
        return a;
    }

    public Parameter b() {
        return b;
    }

    public double scaling() {
        return scaling;
    }

    public int rank() {
        return (int) a.getArray().getShape().get(0);
    }
}
