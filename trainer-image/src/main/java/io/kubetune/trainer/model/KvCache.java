package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of earlier positions, per layer, so generation feeds only new tokens.
 *
 * <p>Arrays are {@code [batch, kvHeads, positions, headDim]} and live in the cache's own manager;
 * the arrays a step replaces are closed at once. Meant for inference: nothing here is
 * differentiated.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    /**
     * Creates an empty cache.
     *
     * @param parent the manager to open the cache's own manager under
     * @param layers number of decoder layers
     */
    public KvCache(NDManager parent, int layers) {
        manager = parent.newSubManager();
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Returns how many positions are cached. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /**
     * Appends one step's keys and values to a layer and returns all of them.
     *
     * @param layer the layer's index
     * @param key new keys, {@code [batch, kvHeads, new, headDim]}
     * @param value new values, same shape
     * @return keys and values of every position so far
     */
    public NDArray[] append(int layer, NDArray key, NDArray value) {
        keys[layer] = extend(keys[layer], key);
        values[layer] = extend(values[layer], value);
        return new NDArray[] {keys[layer], values[layer]};
    }

    private NDArray extend(NDArray cached, NDArray fresh) {
        if (cached == null) {
            // A copy, so the cache never holds a view into a step's memory.
            NDArray copy = fresh.duplicate();
            copy.attach(manager);
            return copy;
        }
        NDArray joined = cached.concat(fresh, 2);
        joined.attach(manager);
        cached.close();
        return joined;
    }

    /**
     * Returns a new cache whose row {@code i} is row {@code rows[i]} of this one, for scoring
     * several continuations of each cached context.
     *
     * @param parent the manager to open the new cache's own manager under
     * @param rows for each new row, the row of this cache it copies
     */
    public KvCache selectRows(NDManager parent, long[] rows) {
        KvCache copy = new KvCache(parent, keys.length);
        NDArray index = copy.manager.create(rows);
        for (int layer = 0; layer < keys.length; layer++) {
            if (keys[layer] != null) {
                copy.keys[layer] = copy.own(keys[layer].get(index));
                copy.values[layer] = copy.own(values[layer].get(index));
            }
        }
        return copy;
    }

    private NDArray own(NDArray array) {
        array.attach(manager);
        return array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
