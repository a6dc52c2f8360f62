package io.kubetune.trainer.train.stage;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What an {@link Objective} computed on one micro-batch.
 *
 * @param sum a 0-d F32 array: the loss summed over the batch's {@link Objective#normalizer(Object)}
 *     units, still attached to the autograd graph when training
 * @param tokens tokens the model read (padding excluded): what tokens/s counts
 * @param metrics the stage's own metrics (e.g. {@code rewards/margins}), named as the reference
 *     trainer names them; summed so that micro-batches add up
 */
public record BatchLoss(NDArray sum, long tokens, Map<String, Metric> metrics) {
    public BatchLoss {
        metrics = Map.copyOf(metrics);
    }
}
