package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Layer normalization over the last axis with weight and bias, as {@code torch.nn.LayerNorm}. */
public final class LayerNormLayer extends ModuleBlock implements Norm {

    private final Shape normalizedShape;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the layer.
     *
     * @param width the size of the last axis
     * @param eps added to the variance
     */
    public LayerNormLayer(long width, double eps) {
        normalizedShape = new Shape(width);
        this.eps = (float) eps;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .optShape(normalizedShape)
                                .build());
        bias =
                addParameter(
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BETA)
                                .optShape(normalizedShape)
                                .build());
    }

    /** Normalizes {@code x}; eps goes to the native kernel as a value, not as an array. */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray gamma = ps.getValue(weight, x.getDevice(), training);
        NDArray beta = ps.getValue(bias, x.getDevice(), training);
        return x.getNDArrayInternal()
                .layerNorm(x, normalizedShape, gamma, beta, eps)
                .singletonOrThrow();
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

    @Override
    public Parameter bias() {
        return bias;
    }
}
