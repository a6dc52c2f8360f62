package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.model.DecoderLm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Prompt tuning, prefix tuning and P-tuning as PEFT does them: the whole model frozen, virtual
 * tokens trained (see {@link PromptEmbeddings}, {@link PrefixKeyValues}, {@link PromptEncoder}).
 */
public final class PromptLearningMethod implements PeftMethod {
    private final MethodType type;
    private final Function<String, long[]> textTokens;

    /**
     * @param type prompt-tuning, prefix-tuning or p-tuning
     * @param textTokens the tokenizer's ids of a text with special tokens (PEFT's TEXT init), or
     *     null when none is at hand
     */
    public PromptLearningMethod(MethodType type, Function<String, long[]> textTokens) {
        this.type = type;
        this.textTokens = textTokens;
    }

    @Override
    public Adapters inject(DecoderLm model, MethodSpec method, DataType type, NDManager manager) {
        PromptLearningSpec spec =
                method.promptLearning == null ? new PromptLearningSpec() : method.promptLearning;
        freeze(model);
        int count = spec.numVirtualTokens;
        return switch (this.type) {
            case PROMPT_TUNING ->
                    PromptLearningAdapters.table(
                            model,
                            this.type,
                            spec,
                            VirtualTokenTable.of(
                                    VirtualTokenInit.values(
                                            spec, model, textTokens, type, manager)));
            case PREFIX_TUNING ->
                    PromptLearningAdapters.prefix(
                            model,
                            spec,
                            VirtualTokenTable.random(
                                    count, PrefixKeyValues.width(model), type, manager));
            default ->
                    PromptLearningAdapters.encoder(
                            model,
                            spec,
                            PromptEncoder.initialised(
                                    spec.encoder == null
                                            ? PromptLearningSpec.Encoder.MLP
                                            : spec.encoder,
                                    count,
                                    model.hiddenSize(),
                                    PromptLearningFormat.encoderHiddenSize(spec, model),
                                    type,
                                    manager));
        };
    }

    @Override
    public Adapters read(Path dir, DecoderLm model, DataType type, NDManager manager)
            throws IOException {
        return readAdapter(dir, model, type, manager);
    }

    /**
     * Reads a prompt-learning adapter (any of the three), or returns null when the folder holds
     * another PEFT method.
     */
    static Adapters readAdapter(Path dir, DecoderLm model, DataType type, NDManager manager)
            throws IOException {
        PromptLearningFormat.Saved saved = PromptLearningFormat.read(dir, type, manager);
        if (saved == null) {
            return null;
        }
        freeze(model);
        VirtualTokenTable table = VirtualTokenTable.of(saved.table());
        if (saved.type() == MethodType.PREFIX_TUNING) {
            return PromptLearningAdapters.prefix(model, saved.spec(), table);
        }
        if (table.width() != model.hiddenSize()) {
            throw new IllegalArgumentException(
                    dir.resolve(PeftAdapterFormat.WEIGHTS)
                            + ": prompt_embeddings is "
                            + table.width()
                            + " wide, but this model's hidden size is "
                            + model.hiddenSize()
                            + "; use an adapter trained on this model");
        }
        // A saved P-tuning adapter is the encoder's output: PEFT, too, reloads it as a table.
        return PromptLearningAdapters.table(model, saved.type(), saved.spec(), table);
    }

    /** Starts P-tuning training from a PEFT encoder's state dict (PEFT saves only its output). */
    static Adapters withEncoder(
            DecoderLm model, PromptLearningSpec spec, Map<String, NDArray> stateDict) {
        freeze(model);
        return PromptLearningAdapters.encoder(model, spec, PromptEncoder.of(stateDict));
    }

    private static void freeze(DecoderLm model) {
        LoraInjector.freezeAllBut(model, List.of());
    }
}
