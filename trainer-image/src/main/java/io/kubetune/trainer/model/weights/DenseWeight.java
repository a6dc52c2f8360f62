package io.kubetune.trainer.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/** A weight held as a DJL parameter, in the compute type: trainable, or frozen under LoRA. */
public final class DenseWeight implements LinearWeight {
    private final Parameter parameter;

    public DenseWeight(Parameter parameter) {
        this.parameter = parameter;
    }

    @Override
    public NDArray dense(ParameterStore ps, NDArray like, boolean training) {
        return ps.getValue(parameter, like.getDevice(), training);
    }

    @Override
    public long residentBytes() {
        NDArray array = parameter.getArray();
        return array.size() * array.getDataType().getNumOfBytes();
    }

    /** The parameter owns its array; the model closes it. */
    @Override
    public void close() {}
}
