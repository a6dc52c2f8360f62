package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.List;

/**
 * Folds adapters into their layers as PEFT's merge_and_unload: {@code W += scaling * B A}, and
 * under DoRA the rows rescaled to the magnitude. A quantized layer becomes dense.
 */
public final class LoraMerger {
    private LoraMerger() {}

    public static void merge(List<LoraTarget> targets) {
        for (LoraTarget target : targets) {
            LinearLayer layer = target.layer();
            // The adapters live with the model's weights, in its compute type.
            NDArray a = target.adapter().a().getArray();
            try (NDManager scratch = a.getManager().newSubManager()) {
                NDArray like = scratch.zeros(new Shape(1), DataType.FLOAT32);
                NDArray weight =
                        layer.denseWeight(new ParameterStore(scratch, false), like, false)
                                .toType(DataType.FLOAT32, true);
                weight.attach(scratch);
                NDArray merged = target.attached().merged(weight, scratch);
                layer.setWeight(merged, a.getManager(), a.getDataType());
            }
            layer.attach(null);
        }
    }
}
