package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/** Folds adapters into their layers, {@code W += scaling * B A}, as PEFT's merge_and_unload. */
public final class LoraMerger {
    private LoraMerger() {}

    public static void merge(List<LoraTarget> targets) {
        for (LoraTarget target : targets) {
            NDArray weight = target.layer().weight().getArray();
            try (NDManager scratch = weight.getManager().newSubManager()) {
                NDArray delta = target.adapter().weightDelta(scratch);
                weight.addi(delta.toType(weight.getDataType(), false));
            }
            target.layer().attach(null);
        }
    }
}
