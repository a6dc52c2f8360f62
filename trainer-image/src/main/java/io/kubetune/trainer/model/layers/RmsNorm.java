package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.Scalars;

/**
 * Root-mean-square normalization as Llama's: computed in F32, then scaled by the weight in the
 * input's type.
 */
public final class RmsNorm extends ModuleBlock implements Norm {

    private final double eps;
    private final Parameter weight;

    /**
     * Creates the layer.
     *
     * @param width the size of the last axis
     * @param eps added to the mean square
     */
    public RmsNorm(long width, double eps) {
        this.eps = eps;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .optShape(new Shape(width))
                                .build());
    }

    /** Returns {@code weight * x / sqrt(mean(x^2) + eps)}. */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        DataType inputType = x.getDataType();
        NDArray x32 = DifferentiableCast.to(x, DataType.FLOAT32);
        NDArray variance = x32.square().mean(new int[] {-1}, true);
        NDArray normalized = x32.div(variance.add(Scalars.like(variance, eps)).sqrt());
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return DifferentiableCast.to(normalized, inputType).mul(w);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    /** RMSNorm has no shift. */
    @Override
    public Parameter bias() {
        return null;
    }
}
