package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * What a causal LM reads in one forward pass.
 *
 * @param inputIds token ids {@code [batch, seq]} (INT64)
 * @param attentionMask 1 for real tokens and 0 for padding over all positions including cached
 *     ones, {@code [batch, cached + seq]}, or null when nothing is padded
 * @param positionIds positions {@code [batch, seq]}, or null for {@code cached + 0..seq-1}
 * @param cache keys and values of earlier positions, or null to attend only within {@code inputIds}
 * @param sequenceIds which packed sample each token belongs to {@code [batch, seq]}, or null: a
 *     token attends only to tokens of its own sample (packing without cross-attention)
 */
public record ModelInput(
        NDArray inputIds,
        NDArray attentionMask,
        NDArray positionIds,
        KvCache cache,
        NDArray sequenceIds) {

    /** An input without packed-sample boundaries. */
    public ModelInput(NDArray inputIds, NDArray attentionMask, NDArray positionIds, KvCache cache) {
        this(inputIds, attentionMask, positionIds, cache, null);
    }

    /** Returns an input of token ids alone. */
    public static ModelInput of(NDArray inputIds) {
        return new ModelInput(inputIds, null, null, null);
    }

    /** Returns this input with a padding mask. */
    public ModelInput withAttentionMask(NDArray mask) {
        return new ModelInput(inputIds, mask, positionIds, cache, sequenceIds);
    }

    /** Returns this input reading and filling a KV cache. */
    public ModelInput withCache(KvCache kvCache) {
        return new ModelInput(inputIds, attentionMask, positionIds, kvCache, sequenceIds);
    }

    /** Returns how many positions the cache already holds. */
    public long pastLength() {
        return cache == null ? 0 : cache.length();
    }

    /** Returns the position ids, computing {@code past + 0..seq-1} when none were given. */
    public NDArray positions() {
        if (positionIds != null) {
            return positionIds;
        }
        long past = pastLength();
        long seq = inputIds.getShape().get(1);
        return inputIds.getManager()
                .arange((int) past, (int) (past + seq), 1, DataType.INT64)
                .expandDims(0);
    }
}
