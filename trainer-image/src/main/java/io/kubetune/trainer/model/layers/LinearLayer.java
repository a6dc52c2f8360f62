package io.kubetune.trainer.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.weights.DenseWeight;
import io.kubetune.trainer.model.weights.LinearWeight;

/**
 * {@code y = x W^T + b} with {@code W} of shape {@code [out, in]}, as {@code torch.nn.Linear}. The
 * weight is a parameter, or frozen in a quantized {@link LinearWeight}; a {@link LinearAdapter}
 * (LoRA, DoRA) may adapt the output.
 */
public final class LinearLayer extends ModuleBlock {

    private final long inFeatures;
    private final long outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private LinearWeight storage;
    private LinearAdapter adapter;
    private QuantizedLinearBackward deferredBackward;

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
        storage = new DenseWeight(weight);
    }

    /** Applies the layer; the result belongs to {@code x}'s manager. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        if (deferBackward(training)) {
            QuantizedLinearBackward.Deferred d =
                    deferredBackward.forward(this, ps, x, b, adapter != null);
            return adapter == null
                    ? d.output()
                    : adapter.apply(ps, d.input(), d.output(), this, training);
        }
        NDArray w = storage.dense(ps, x, training);
        NDArray y = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        return adapter == null ? y : adapter.apply(ps, x, y, this, training);
    }

    /**
     * Lets a quantized weight's backward go through {@code backward} (which dequantizes again)
     * rather than keep the dequantized weight; null: autograd's own.
     */
    public void deferBackwardTo(QuantizedLinearBackward backward) {
        this.deferredBackward = backward;
    }

    // Only a quantized weight, in a recorded training pass. (Whether x needs a gradient cannot be
    // asked: DJL's requiresGrad is only reliable on leaves.)
    private boolean deferBackward(boolean training) {
        return deferredBackward != null && training && quantized() && JniUtils.isGradMode();
    }

    /** Returns whether the weight is held quantized (frozen codes, dequantized per pass). */
    public boolean quantized() {
        return !(storage instanceof DenseWeight);
    }

    /** Returns {@code W [out, in]} in {@code like}'s type, for an adapter that needs it. */
    public NDArray denseWeight(ParameterStore ps, NDArray like, boolean training) {
        return storage.dense(ps, like, training);
    }

    /**
     * Holds the weight as {@code quantized} from now on: the dense parameter leaves the block (it
     * is never initialized nor trained), so only the quantized codes stay resident.
     */
    public void holdQuantized(LinearWeight quantized) {
        parameters.remove(weight.getName());
        storage = quantized;
    }

    /** Returns how the weight is held. */
    public LinearWeight storage() {
        return storage;
    }

    /**
     * Sets the weight to {@code values} ({@code [out, in]}, any float type), in place when dense; a
     * quantized weight becomes a dense parameter in the type of the layer's other weights.
     */
    public void setWeight(NDArray values, NDManager manager, DataType type) {
        if (storage instanceof DenseWeight) {
            NDArray w = weight.getArray();
            w.set(new NDIndex("..."), values.toType(w.getDataType(), false));
            return;
        }
        storage.close();
        weight.setInitializer(
                (m, shape, t) -> {
                    NDArray owned = values.toType(t, true);
                    owned.attach(m);
                    return owned;
                });
        weight.initialize(manager, type);
        weight.freeze(true);
        parameters.put(weight.getName(), weight);
        storage = new DenseWeight(weight);
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

    /**
     * Returns the weight's parameter, {@code [out, in]}: the layer's identity in weight bindings;
     * it holds no array while the weight is quantized.
     */
    public Parameter weight() {
        return weight;
    }

    /** Adapts this layer's output from now on; null removes the adapter. */
    public void attach(LinearAdapter linearAdapter) {
        this.adapter = linearAdapter;
    }

    /** Returns the attached adapter, or null. */
    public LinearAdapter adapter() {
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
