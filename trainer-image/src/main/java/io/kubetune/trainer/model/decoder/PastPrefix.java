package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Keys and values every layer attends to before the input's own (prefix tuning's trained past): put
 * in front of the cached and new keys as given, with no position applied to them, and visible to
 * every query, whatever the padding or packing of the rest.
 *
 * @param keys per layer, {@code [1, kvHeads, length, headDim]}
 * @param values per layer, same shapes
 */
public record PastPrefix(List<NDArray> keys, List<NDArray> values) {

    /** Returns how many positions the prefix holds. */
    public long length() {
        return keys.get(0).getShape().get(2);
    }

    /** Returns {@code layer}'s prefix keys then {@code k}, along the positions. */
    NDArray keysBefore(int layer, NDArray k) {
        return before(keys.get(layer), k);
    }

    /** Returns {@code layer}'s prefix values then {@code v}, along the positions. */
    NDArray valuesBefore(int layer, NDArray v) {
        return before(values.get(layer), v);
    }

    private static NDArray before(NDArray prefix, NDArray rest) {
        Shape shape = prefix.getShape();
        long batch = rest.getShape().get(0);
        NDArray rows = prefix.broadcast(new Shape(batch, shape.get(1), shape.get(2), shape.get(3)));
        return rows.concat(rest, 2);
    }

    /**
     * Widens an attention bias {@code [b, 1, seq, total]} by the prefix's columns in front, all
     * visible (PEFT grows the attention mask by ones).
     */
    public NDArray widen(NDArray bias) {
        Shape shape = bias.getShape();
        NDArray open =
                bias.getManager()
                        .zeros(
                                new Shape(shape.get(0), shape.get(1), shape.get(2), length()),
                                bias.getDataType());
        return open.concat(bias, 3);
    }
}
