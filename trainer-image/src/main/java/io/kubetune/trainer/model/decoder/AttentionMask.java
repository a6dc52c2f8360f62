package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.ModelInput;

/**
 * The additive attention bias of a causal LM: 0 where a query may attend a key, the type's lowest
 * finite value elsewhere (as transformers does). Built from two aranges compared, since DJL has no
 * triu.
 */
public final class AttentionMask {

    private AttentionMask() {}

    /**
     * Builds the bias for {@code seq} new queries after {@code past} cached positions.
     *
     * @param input the forward pass's input (its padding mask is used when present)
     * @param dataType the type of the attention scores
     * @param slidingWindow how many keys back a query may see, or 0 for no limit
     * @return {@code [batch or 1, 1, seq, past + seq]}
     */
    public static NDArray bias(ModelInput input, DataType dataType, int slidingWindow) {
        NDManager manager = input.manager();
        long past = input.pastLength();
        long seq = input.sequenceLength();
        long total = past + seq;
        NDArray queries =
                manager.arange((int) past, (int) total, 1, DataType.INT64).reshape(seq, 1);
        NDArray keys = manager.arange(0, (int) total, 1, DataType.INT64).reshape(1, total);
        NDArray allowed = keys.lte(queries);
        if (slidingWindow > 0) {
            allowed = allowed.logicalAnd(queries.sub(keys).lt(slidingWindow));
        }
        allowed = allowed.reshape(1, 1, seq, total);
        if (input.sequenceIds() != null && past == 0) {
            // Packed samples see only themselves: a block-diagonal mask from the sequence ids.
            NDArray ids = input.sequenceIds();
            long batch = ids.getShape().get(0);
            NDArray same = ids.reshape(batch, 1, seq, 1).eq(ids.reshape(batch, 1, 1, seq));
            allowed = allowed.logicalAnd(same);
        }
        if (input.attentionMask() != null) {
            NDArray padding = input.attentionMask();
            long batch = padding.getShape().get(0);
            allowed = allowed.logicalAnd(padding.eq(1).reshape(batch, 1, 1, total));
        }
        NDArray lowest = manager.full(new Shape(), lowestFinite(dataType), dataType);
        return allowed.logicalNot().toType(dataType, false).mul(lowest);
    }

    /** Returns {@code torch.finfo(type).min}. */
    public static float lowestFinite(DataType dataType) {
        return switch (dataType) {
            case FLOAT16 -> -65504f;
            case BFLOAT16 -> -3.3895314e38f;
            default -> -Float.MAX_VALUE;
        };
    }
}
