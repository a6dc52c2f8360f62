package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * A trainable table of virtual token rows {@code [count, width]}: prompt tuning's embeddings,
 * prefix tuning's keys and values, P-tuning's encoder input (PEFT's {@code embedding.weight}).
 */
final class VirtualTokenTable {
    private final Parameter weight;

    private VirtualTokenTable(Parameter weight) {
        this.weight = weight;
    }

    /** A table holding {@code values}, trainable. */
    static VirtualTokenTable of(NDArray values) {
        return new VirtualTokenTable(trainable("embedding.weight", values));
    }

    /** A table drawn from N(0, 1), as {@code torch.nn.Embedding} starts. */
    static VirtualTokenTable random(long count, long width, DataType type, NDManager manager) {
        return of(
                manager.randomNormal(0f, 1f, new Shape(count, width), DataType.FLOAT32)
                        .toType(type, false));
    }

    /** A trainable parameter holding {@code values}. */
    static Parameter trainable(String name, NDArray values) {
        Parameter parameter =
                Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        values.setRequiresGradient(true);
        parameter.setArray(values);
        return parameter;
    }

    /**
     * The table's rows for one pass, owned by {@code scope} (ops on a parameter's array would
     * otherwise leave their results in the parameter's manager, one leak per step).
     */
    NDArray rows(ParameterStore ps, NDManager scope, boolean training) {
        return owned(ps.getValue(weight, scope.getDevice(), training), scope);
    }

    /** A view of a parameter's array that {@code scope} owns. */
    static NDArray owned(NDArray parameterValue, NDManager scope) {
        NDArray view = parameterValue.reshape(parameterValue.getShape());
        view.attach(scope);
        return view;
    }

    Parameter weight() {
        return weight;
    }

    long count() {
        return weight.getArray().getShape().get(0);
    }

    long width() {
        return weight.getArray().getShape().get(1);
    }
}
