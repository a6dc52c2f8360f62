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
import io.kubetune.trainer.model.layers.LinearAdapter;
import io.kubetune.trainer.model.layers.LinearLayer;

/**
 * The low-rank update PEFT adds to a linear layer: {@code scaling * B(A(dropout(x)))}, with {@code
 * A [r, in]} and {@code B [out, r]} as PEFT stores them. For a layer cut out of a fused module
 * (GPT-2's c_attn holds q, k and v), the adapter is a view on rows {@code [bStart, bEnd)} of the
 * fused module's B, sharing its A and B parameters with the views of the other parts.
 */
public final class LoraAdapter implements LinearAdapter {
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

    @Override
    public NDArray apply(
            ParameterStore ps, NDArray x, NDArray y, LinearLayer layer, boolean training) {
        // As PEFT: the input is cast to the adapter's type (_cast_input_dtype), and an fp32
        // adapter's update is added to a half-precision output in fp32.
        NDArray cast = DifferentiableCast.to(x, dataType());
        NDArray delta = lowRank(ps, dropout(cast, training), training);
        return DifferentiableCast.to(
                DifferentiableCast.to(y, delta.getDataType()).add(delta), y.getDataType());
    }

    /** The adapter's own type: float32 under a half-precision model, as PEFT keeps it. */
    DataType dataType() {
        return a.getArray().getDataType();
    }

    /** {@code dropout(x)} while training with dropout, else {@code x}. */
    NDArray dropout(NDArray x, boolean training) {
        return training && dropout > 0
                ? x.getNDArrayInternal().dropout(x, dropout, true).singletonOrThrow()
                : x;
    }

    /** {@code scaling * B(A(input))}, with no dropout; belongs to {@code input}'s manager. */
    NDArray lowRank(ParameterStore ps, NDArray input, boolean training) {
        NDArray wa = ps.getValue(a, input.getDevice(), training);
        NDArray wb = ownRows(ps.getValue(b, input.getDevice(), training), input.getManager());
        NDArray low = input.getNDArrayInternal().linear(input, wa, null).singletonOrThrow();
        NDArray update = low.getNDArrayInternal().linear(low, wb, null).singletonOrThrow();
        return update.mul(Scalars.like(update, scaling));
    }

    /**
     * {@code scaling * B A} ({@code [out, in]}) in {@code like}'s manager, cut off from the
     * gradient: DoRA's weight norm, which PEFT detaches.
     */
    NDArray detachedWeightDelta(ParameterStore ps, NDArray like, boolean training) {
        NDManager scope = like.getManager();
        NDArray wa = ps.getValue(a, like.getDevice(), training).stopGradient();
        wa.attach(scope);
        NDArray wb = ownRows(ps.getValue(b, like.getDevice(), training), scope).stopGradient();
        wb.attach(scope);
        NDArray ba = wb.matMul(wa);
        return ba.mul(Scalars.like(ba, scaling));
    }

    @Override
    public NDArray merged(NDArray weight, NDManager manager) {
        return weight.add(weightDelta(manager));
    }

    /** {@code scaling * B A} in float32, the change to the layer's weight; the caller owns it. */
    public NDArray weightDelta(NDManager manager) {
        NDArray wa = a.getArray().toType(DataType.FLOAT32, true);
        wa.attach(manager);
        NDArray wb = ownRows(b.getArray(), manager).toType(DataType.FLOAT32, true);
        wb.attach(manager);
        return wb.matMul(wa).muli(scaling);
    }

    /** This view's rows of B; a slice belongs to {@code scope}, not to the parameter's manager. */
    private NDArray ownRows(NDArray wb, NDManager scope) {
        if (bEnd < 0) {
            return wb;
        }
        NDArray rows = wb.get(new NDIndex("{}:{}", bStart, bEnd));
        rows.attach(scope);
        return rows;
    }

    /** Output rows {@code [start, end)} of a fused module this view covers, or -1 for all. */
    long rowStart() {
        return bStart;
    }

    long rowEnd() {
        return bEnd;
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
