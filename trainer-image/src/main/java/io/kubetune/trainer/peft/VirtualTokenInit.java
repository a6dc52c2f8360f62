package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.model.DecoderLm;
import java.util.function.Function;

/**
 * Prompt tuning's first virtual token embeddings, as PEFT's {@code prompt_tuning_init}: RANDOM N(0,
 * 1); SAMPLE_VOCAB the embeddings of random vocabulary ids; TEXT the embeddings of the text's
 * tokens (special tokens included), repeated or cut to the count.
 */
final class VirtualTokenInit {
    private VirtualTokenInit() {}

    static NDArray values(
            PromptLearningSpec spec,
            DecoderLm model,
            Function<String, long[]> textTokens,
            DataType type,
            NDManager manager) {
        int count = spec.numVirtualTokens;
        PromptLearningSpec.Init init =
                spec.init == null ? PromptLearningSpec.Init.RANDOM : spec.init;
        return switch (init) {
            case RANDOM ->
                    manager.randomNormal(
                                    0f, 1f, new Shape(count, model.hiddenSize()), DataType.FLOAT32)
                            .toType(type, false);
            case SAMPLE_VOCAB -> {
                // Drawn by the engine, so training.seed makes a run repeatable (and resumable).
                long[] ids =
                        manager.randomInteger(
                                        0, model.vocabSize(), new Shape(count), DataType.INT64)
                                .toLongArray();
                yield rows(model, ids, type, manager);
            }
            case TEXT -> {
                if (textTokens == null || spec.initText == null) {
                    throw new IllegalArgumentException(
                            "method.promptLearning.init: text needs initText and the model's"
                                    + " tokenizer; give initText or use init: random");
                }
                long[] text = textTokens.apply(spec.initText);
                if (text.length == 0) {
                    throw new IllegalArgumentException(
                            "method.promptLearning.initText: \""
                                    + spec.initText
                                    + "\" has no tokens; give a longer text");
                }
                long[] ids = new long[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = text[i % text.length];
                }
                yield rows(model, ids, type, manager);
            }
        };
    }

    private static NDArray rows(DecoderLm model, long[] ids, DataType type, NDManager manager) {
        NDArray table = model.tokens().weight().getArray();
        NDArray gathered = table.get(manager.create(ids));
        gathered.attach(manager);
        return gathered.toType(type, true);
    }
}
