package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.peft.LoraAdapter;

/** {@code y = x W^T + b} with {@code W} of shape {@code [out, in]}, as {@code torch.nn.Linear}. */
public final class LinearLayer extends ModuleBlock {

    private final long inFeatures;
    private final long outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private LoraAdapter adapter;

    /**
     * Creates the layer.
     *
     * @param inFeatures input width
     * @param outFeatures output width
     * @param withBias whether it adds a bias
     */
    public LinearLayer(long inFeatures, long outFeatures, boolean withBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(outFeatures, inFeatures))
                                .build());
        bias =
                withBias
                        ? addParameter(
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .optShape(new Shape(outFeatures))
                                        .build())
                        : null;
    }

    /** Applies the layer; the result belongs to {@code x}'s manager. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        NDArray y = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        if (adapter == null) {
            return y;
        }
        // As PEFT: an fp32 adapter's update is added to a half-precision output in fp32.
        NDArray delta = adapter.delta(ps, x, training);
        return DifferentiableCast.to(
                DifferentiableCast.to(y, delta.getDataType()).add(delta), y.getDataType());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long[] dims = inputShapes[0].getShape().clone();
        dims[dims.length - 1] = outFeatures;
        return new Shape[] {new Shape(dims)};
    }

    /** Returns the weight, {@code [out, in]}. */
    public Parameter weight() {
        return weight;
    }

    /** Adds a LoRA update to this layer's output from now on. */
    public void attach(LoraAdapter loraAdapter) {
        this.adapter = loraAdapter;
    }

    /** Returns the attached LoRA adapter, or null. */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** Returns the bias, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    /** Returns the input width. */
    public long inFeatures() {
        return inFeatures;
    }

    /** Returns the output width. */
    public long outFeatures() {
        return outFeatures;
    }
}
