package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PrefixedInput;
import io.kubetune.trainer.model.decoder.AttentionSpec;
import io.kubetune.trainer.model.decoder.PastPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * Prefix tuning as PEFT's causal-LM forward runs it (prefix_projection false): a table {@code
 * [virtual, layers * 2 * kvHeads * headDim]} whose row for a virtual token holds layer 0's key,
 * layer 0's value, layer 1's key, ... (PEFT's view {@code [batch, virtual, 2 layers, heads, dim]}
 * permuted), given to every layer as a past with no rotary embedding applied. The input's tokens
 * start at position {@code virtual}; the prefix is visible to every query, so packed samples stay
 * isolated from each other and each sees it.
 */
final class PrefixKeyValues extends SwitchablePrefix {
    private final VirtualTokenTable table;
    private final int layers;
    private final int kvHeads;
    private final int headDim;

    PrefixKeyValues(VirtualTokenTable table, DecoderLm model) {
        AttentionSpec attention = model.config().attention();
        this.table = table;
        this.layers = model.numLayers();
        this.kvHeads = attention.kvHeads();
        this.headDim = attention.headDim();
        long expected = width(model);
        if (table.width() != expected) {
            throw new IllegalArgumentException(
                    "prompt_embeddings has "
                            + table.width()
                            + " columns, but this "
                            + model.family()
                            + " model's prefix needs "
                            + expected
                            + " (layers x 2 x key/value heads x head size); use an adapter"
                            + " trained on this model");
        }
    }

    /** The table's width for a model: layers x 2 x key/value heads x head size (PEFT's GQA). */
    static long width(DecoderLm model) {
        AttentionSpec attention = model.config().attention();
        return (long) model.numLayers() * 2 * attention.kvHeads() * attention.headDim();
    }

    @Override
    protected PrefixedInput applyOn(
            ParameterStore ps, DecoderLm model, ModelInput input, boolean training) {
        long count = table.count();
        NDManager scope = input.manager();
        NDArray positions =
                input.positionIds() != null
                        ? input.positionIds().toType(DataType.INT64, false).add(count)
                        : input.positions().add(count);
        DataType type = model.tokens().weight().getArray().getDataType();
        return new PrefixedInput(
                input.withPositionIds(positions), prefix(ps, scope, type, training), 0);
    }

    private PastPrefix prefix(ParameterStore ps, NDManager scope, DataType type, boolean training) {
        long count = table.count();
        NDArray rows = DifferentiableCast.to(table.rows(ps, scope, training), type);
        // [virtual, 2 layers, heads, dim] -> [2 layers, heads, virtual, dim]
        NDArray perLayer = rows.reshape(count, 2L * layers, kvHeads, headDim).transpose(1, 2, 0, 3);
        List<NDArray> keys = new ArrayList<>();
        List<NDArray> values = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            keys.add(perLayer.get(2L * layer).expandDims(0));
            values.add(perLayer.get(2L * layer + 1).expandDims(0));
        }
        return new PastPrefix(keys, values);
    }

    VirtualTokenTable table() {
        return table;
    }
}
