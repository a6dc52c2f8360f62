package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * What a decoder reads in one forward pass: token ids, or their embeddings (prompt tuning prepends
 * learned ones), and what shapes attention.
 *
 * @param inputIds token ids {@code [batch, seq]} (INT64), or null when {@code inputEmbeds} is given
 * @param attentionMask 1 for real tokens and 0 for padding over all positions including cached
 *     ones, {@code [batch, cached + seq]}, or null when nothing is padded
 * @param positionIds positions {@code [batch, seq]}, or null for {@code cached + 0..seq-1}
 * @param cache keys and values of earlier positions, or null to attend only within this input
 * @param sequenceIds which packed sample each token belongs to {@code [batch, seq]}, or null: a
 *     token attends only to tokens of its own sample (packing without cross-attention)
 * @param inputEmbeds input embeddings {@code [batch, seq, hidden]} used instead of looking up
 *     {@code inputIds}, or null
 */
public record ModelInput(
        NDArray inputIds,
        NDArray attentionMask,
        NDArray positionIds,
        KvCache cache,
        NDArray sequenceIds,
        NDArray inputEmbeds) {

    /** Checks that exactly one of ids and embeddings is given. */
    public ModelInput {
        if ((inputIds == null) == (inputEmbeds == null)) {
            throw new IllegalArgumentException("give either input ids or input embeddings");
        }
    }

    /** An input of token ids. */
    public ModelInput(
            NDArray inputIds,
            NDArray attentionMask,
            NDArray positionIds,
            KvCache cache,
            NDArray sequenceIds) {
        this(inputIds, attentionMask, positionIds, cache, sequenceIds, null);
    }

    /** An input of token ids without packed-sample boundaries. */
    public ModelInput(NDArray inputIds, NDArray attentionMask, NDArray positionIds, KvCache cache) {
        this(inputIds, attentionMask, positionIds, cache, null, null);
    }

    /** Returns an input of token ids alone. */
    public static ModelInput of(NDArray inputIds) {
        return new ModelInput(inputIds, null, null, null);
    }

    /** Returns an input of embeddings {@code [batch, seq, hidden]} alone. */
    public static ModelInput ofEmbeds(NDArray inputEmbeds) {
        return new ModelInput(null, null, null, null, null, inputEmbeds);
    }

    /** Returns this input with a padding mask. */
    public ModelInput withAttentionMask(NDArray mask) {
        return new ModelInput(inputIds, mask, positionIds, cache, sequenceIds, inputEmbeds);
    }

    /** Returns this input with explicit positions. */
    public ModelInput withPositionIds(NDArray positions) {
        return new ModelInput(inputIds, attentionMask, positions, cache, sequenceIds, inputEmbeds);
    }

    /** Returns this input reading and filling a KV cache. */
    public ModelInput withCache(KvCache kvCache) {
        return new ModelInput(
                inputIds, attentionMask, positionIds, kvCache, sequenceIds, inputEmbeds);
    }

    /** Returns how many positions the cache already holds. */
    public long pastLength() {
        return cache == null ? 0 : cache.length();
    }

    /** Returns how many rows the batch has. */
    public long batchSize() {
        return main().getShape().get(0);
    }

    /** Returns how many new positions each row has. */
    public long sequenceLength() {
        return main().getShape().get(1);
    }

    /** Returns the manager of the input's arrays, where a pass's own arrays are made. */
    public NDManager manager() {
        return main().getManager();
    }

    /** Returns the position ids, computing {@code past + 0..seq-1} when none were given. */
    public NDArray positions() {
        if (positionIds != null) {
            return positionIds;
        }
        long past = pastLength();
        return manager()
                .arange((int) past, (int) (past + sequenceLength()), 1, DataType.INT64)
                .expandDims(0);
    }

    private NDArray main() {
        return inputIds != null ? inputIds : inputEmbeds;
    }
}
