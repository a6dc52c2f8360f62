package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.layers.LinearAdapter;
import io.kubetune.trainer.model.layers.LinearLayer;

/**
 * DoRA as PEFT 0.21 computes it (tuners/lora/dora.py): a LoRA update plus a trainable magnitude
 * {@code m [out]}. With {@code k = m / ||W + s B A||} (row norms, detached from the gradient):
 * {@code y = base(x) + (k - 1) x W^T + k s B(A(x))}, the dropout (when training) applied to both
 * terms' {@code x}. For a part of a fused module the adapter is a view on its rows of {@code m}.
 */
public final class DoraAdapter implements LinearAdapter {
    private final LoraAdapter lora;
    private final Parameter magnitude;

    /**
     * @param lora the low-rank part, already cut to this layer's rows
     * @param magnitude the module's whole magnitude vector
     */
    public DoraAdapter(LoraAdapter lora, Parameter magnitude) {
        this.lora = lora;
        this.magnitude = magnitude;
    }

    /**
     * A fresh magnitude for {@code module}, as PEFT initialises it: the row norms of {@code W + s B
     * A}, computed in float32 over every part of a fused module.
     */
    static Parameter initialMagnitude(
            LinearModules.Module module, LoraAdapter adapter, DataType type, NDManager manager) {
        NDList parts = new NDList();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray like = scratch.zeros(new Shape(1), DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(scratch, false);
            for (LinearModules.Part part : module.parts()) {
                LoraAdapter view =
                        module.fused() ? adapter.rows(part.rowStart(), part.rowEnd()) : adapter;
                NDArray w =
                        part.layer().denseWeight(ps, like, false).toType(DataType.FLOAT32, true);
                w.attach(scratch);
                parts.add(norms(view.merged(w, scratch)));
            }
            NDArray norms = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            return magnitude(norms.toType(type, true), manager);
        }
    }

    /** A trainable magnitude holding {@code values} (fresh, or read from an adapter). */
    static Parameter magnitude(NDArray values, NDManager manager) {
        values.attach(manager);
        Parameter parameter =
                Parameter.builder()
                        .setName("lora_magnitude_vector")
                        .setType(Parameter.Type.WEIGHT)
                        .build();
        values.setRequiresGradient(true);
        parameter.setArray(values);
        return parameter;
    }

    @Override
    public NDArray apply(
            ParameterStore ps, NDArray x, NDArray y, LinearLayer layer, boolean training) {
        // As PEFT (lora/layer.py, dora.py): input and base weight in the adapter's type (float32
        // under a half-precision model), the update added there, the sum cast back to y's type.
        DataType type = lora.dataType();
        NDArray cast = DifferentiableCast.to(x, type);
        NDArray w = inType(layer.denseWeight(ps, x, training), type, cast.getManager());
        // Delta first: a result belongs to its first operand's manager, here the pass's.
        NDArray norm = norms(lora.detachedWeightDelta(ps, cast, training).add(w)).stopGradient();
        norm.attach(x.getManager());
        NDArray m = ownRows(ps.getValue(magnitude, x.getDevice(), training), x.getManager());
        NDArray k = m.div(norm);
        k.attach(x.getManager());
        NDArray input = lora.dropout(cast, training);
        NDArray base;
        if (input == cast) {
            // Without dropout PEFT reuses the layer's output, bias removed.
            NDArray out =
                    layer.bias() == null
                            ? y
                            : y.sub(ps.getValue(layer.bias(), x.getDevice(), training));
            base = DifferentiableCast.to(out, type);
        } else {
            base = input.getNDArrayInternal().linear(input, w, null).singletonOrThrow();
        }
        NDArray kMinusOne = k.sub(k.getManager().ones(k.getShape(), k.getDataType()));
        NDArray sum =
                DifferentiableCast.to(y, type)
                        .add(base.mul(kMinusOne))
                        .add(lora.lowRank(ps, input, training).mul(k));
        return DifferentiableCast.to(sum, y.getDataType());
    }

    /** The frozen base weight in {@code type}; a converted copy belongs to {@code scope}. */
    private static NDArray inType(NDArray weight, DataType type, NDManager scope) {
        if (weight.getDataType() == type) {
            return weight;
        }
        NDArray converted = weight.toType(type, true);
        converted.attach(scope);
        return converted;
    }

    /** {@code (m / ||W + s B A||) (W + s B A)}, row by row: PEFT's DoRA merge. */
    @Override
    public NDArray merged(NDArray weight, NDManager manager) {
        NDArray adapted = lora.merged(weight, manager);
        NDArray m = ownRows(magnitude.getArray(), manager).toType(DataType.FLOAT32, true);
        m.attach(manager);
        return adapted.mul(m.div(norms(adapted)).expandDims(1));
    }

    private static NDArray norms(NDArray weight) {
        return weight.square().sum(new int[] {1}).sqrt();
    }

    private NDArray ownRows(NDArray m, NDManager scope) {
        if (lora.rowEnd() < 0) {
            return m;
        }
        NDArray rows = m.get(new NDIndex("{}:{}", lora.rowStart(), lora.rowEnd()));
        rows.attach(scope);
        return rows;
    }

    public LoraAdapter lora() {
        return lora;
    }

    public Parameter magnitude() {
        return magnitude;
    }
}
