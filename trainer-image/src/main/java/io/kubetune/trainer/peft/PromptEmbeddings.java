package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PrefixedInput;

/**
 * Prompt tuning and P-tuning as PEFT's causal-LM forward runs them: the virtual token embeddings go
 * before the input's embeddings, the attention mask grows by ones, and positions run from 0 over
 * both (PEFT drops position ids). With a KV cache the virtual tokens are fed once, on the first
 * pass; later passes find them cached and only shift the caller's mask and positions past them.
 */
final class PromptEmbeddings extends SwitchablePrefix {

    /** Where the embeddings {@code [count, hidden]} of a pass come from. */
    interface Source {
        /** The embeddings for one pass, owned by {@code scope}. */
        NDArray embeddings(ParameterStore ps, NDManager scope, boolean training);

        int count();
    }

    private final Source source;

    PromptEmbeddings(Source source) {
        this.source = source;
    }

    @Override
    protected PrefixedInput applyOn(
            ParameterStore ps, DecoderLm model, ModelInput input, boolean training) {
        int count = source.count();
        if (input.pastLength() > 0) {
            return PrefixedInput.none(afterCachedPrompt(input, count));
        }
        NDManager scope = input.manager();
        NDArray embeds =
                input.inputEmbeds() != null
                        ? input.inputEmbeds()
                        : model.embed(ps, input.inputIds(), training);
        // As PEFT: prompts.to(inputs_embeds.dtype).
        NDArray prompt =
                DifferentiableCast.to(source.embeddings(ps, scope, training), embeds.getDataType());
        long batch = input.batchSize();
        long width = prompt.getShape().get(1);
        NDArray grown =
                prompt.expandDims(0).broadcast(new Shape(batch, count, width)).concat(embeds, 1);
        NDArray mask = input.attentionMask();
        if (mask != null) {
            mask = scope.ones(new Shape(batch, count), mask.getDataType()).concat(mask, 1);
        }
        NDArray positions = input.positionIds();
        if (positions != null) {
            long rows = positions.getShape().get(0);
            NDArray virtual =
                    scope.arange(0, count, 1, DataType.INT64)
                            .expandDims(0)
                            .broadcast(new Shape(rows, count));
            positions = virtual.concat(positions.toType(DataType.INT64, false).add(count), 1);
        }
        NDArray sequences = input.sequenceIds();
        if (sequences != null) {
            // Packing is refused with these methods: a row is one sample, the prompt is its own.
            sequences = sequences.get(new NDIndex(":, :1")).repeat(1, count).concat(sequences, 1);
        }
        ModelInput prefixed =
                new ModelInput(null, mask, positions, input.cache(), sequences, grown);
        return new PrefixedInput(prefixed, null, count);
    }

    /** The caller's mask and explicit positions, shifted past the virtual tokens in the cache. */
    private static ModelInput afterCachedPrompt(ModelInput input, int count) {
        ModelInput shifted = input;
        NDArray mask = input.attentionMask();
        if (mask != null) {
            long batch = mask.getShape().get(0);
            shifted =
                    shifted.withAttentionMask(
                            input.manager()
                                    .ones(new Shape(batch, count), mask.getDataType())
                                    .concat(mask, 1));
        }
        if (input.positionIds() != null) {
            shifted =
                    shifted.withPositionIds(
                            input.positionIds().toType(DataType.INT64, false).add(count));
        }
        return shifted;
    }

    Source source() {
        return source;
    }
}
