package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.Scalars;

/**
 * The low-rank update PEFT adds to a linear layer: {@code scaling * B(A(dropout(x)))}, with {@code
 * A [r, in]} and {@code B [out, r]} as PEFT stores them. For a layer cut out of a fused module
 * (GPT-2's c_attn holds q, k and v), the adapter is a view on rows {@code [bStart, bEnd)} of the
 * fused module's B, sharing its A and B parameters with the views of the other parts.
 */
public final class LoraAdapter {
    private final Parameter a;
    private final Parameter b;
    private final double scaling;
    private final float dropout;
    private final long bStart;
    private final long bEnd;

    private LoraAdapter(
            Parameter a, Parameter b, double scaling, float dropout, long bStart, long bEnd) {
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
        this.bStart = bStart;
        this.bEnd = bEnd;
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
                trainable("lora_A", aValues),
                trainable("lora_B", bValues),
                scaling,
                dropout,
                0,
                -1);
    }

    /** The part of this adapter that updates output rows {@code [start, end)} of a fused module. */
    public LoraAdapter rows(long start, long end) {
        return new LoraAdapter(a, b, scaling, dropout, start, end);
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

    /**
     * The update to add to the layer's output, in the adapter's type (the input is cast to it, as
     * PEFT's {@code _cast_input_dtype}); belongs to {@code x}'s manager.
     */
    public NDArray delta(ParameterStore ps, NDArray x, boolean training) {
        NDArray wa = ps.getValue(a, x.getDevice(), training);
        NDArray cast = DifferentiableCast.to(x, wa.getDataType());
        NDArray input =
                training && dropout > 0
                        ? cast.getNDArrayInternal().dropout(cast, dropout, true).singletonOrThrow()
                        : cast;
        NDArray wb = ownRows(ps.getValue(b, x.getDevice(), training));
        NDArray low = input.getNDArrayInternal().linear(input, wa, null).singletonOrThrow();
        NDArray update = low.getNDArrayInternal().linear(low, wb, null).singletonOrThrow();
        return update.mul(Scalars.like(update, scaling));
    }

    /** {@code scaling * B A} in float32, the change to the layer's weight; the caller owns it. */
    public NDArray weightDelta(NDManager manager) {
        NDArray wa = a.getArray().toType(DataType.FLOAT32, true);
        wa.attach(manager);
        NDArray wb = ownRows(b.getArray()).toType(DataType.FLOAT32, true);
        wb.attach(manager);
        return wb.matMul(wa).muli(scaling);
    }

    private NDArray ownRows(NDArray wb) {
        return bEnd < 0 ? wb : wb.get(new NDIndex("{}:{}", bStart, bEnd));
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
