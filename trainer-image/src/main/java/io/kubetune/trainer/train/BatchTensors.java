package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.ModelInput;

/** A batch as the model's input arrays and the labels, in one step's manager. */
public record BatchTensors(ModelInput input, NDArray labels) {
    public static BatchTensors of(Batch batch, NDManager manager) {
        NDArray ids = manager.create(batch.ids()).toType(DataType.INT64, false);
        NDArray mask = manager.create(batch.attentionMask()).toType(DataType.INT64, false);
        NDArray positions = manager.create(batch.positionIds()).toType(DataType.INT64, false);
        NDArray labels = manager.create(batch.labels()).toType(DataType.INT64, false);
        NDArray sequences = manager.create(batch.sequenceIds()).toType(DataType.INT64, false);
        return new BatchTensors(new ModelInput(ids, mask, positions, null, sequences), labels);
    }

    /** Labels that count after the shift: those of positions 1..n-1 that are not ignored. */
    public static long countedTokens(Batch batch) {
        long n = 0;
        for (int[] row : batch.labels()) {
            for (int i = 1; i < row.length; i++) {
                n += row[i] != io.kubetune.trainer.batch.TokenizedSample.IGNORE ? 1 : 0;
            }
        }
        return n;
    }
}
