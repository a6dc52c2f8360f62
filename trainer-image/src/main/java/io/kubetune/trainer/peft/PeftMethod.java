package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.trainer.model.DecoderLm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * A parameter-efficient method: puts new adapters on a model for training, or reads saved ones.
 * Either way the base weights are frozen and only {@link Adapters#trainable()} trains.
 */
public interface PeftMethod {
    /** Adds freshly initialised adapters as {@code method} asks. */
    Adapters inject(DecoderLm model, MethodSpec method, DataType type, NDManager manager);

    /** Attaches adapters read from a PEFT adapter folder. */
    Adapters read(Path dir, DecoderLm model, DataType type, NDManager manager) throws IOException;

    /** The PEFT method of a {@code method.type}; empty for full and freeze fine-tuning. */
    static Optional<PeftMethod> of(MethodType type) {
        return of(type, null);
    }

    /**
     * The PEFT method of a {@code method.type}; empty for full and freeze fine-tuning.
     *
     * @param textTokens the tokenizer's ids of a text (prompt tuning's text init), or null
     */
    static Optional<PeftMethod> of(MethodType type, Function<String, long[]> textTokens) {
        if (type == MethodType.LORA) {
            return Optional.of(new LoraMethod());
        }
        return type != null && type.promptLearning()
                ? Optional.of(new PromptLearningMethod(type, textTokens))
                : Optional.empty();
    }

    /**
     * Attaches the adapter of a PEFT folder, whichever method wrote it: LoRA (DoRA) or prompt
     * learning, as its {@code adapter_config.json} says.
     */
    static Adapters readAny(Path dir, DecoderLm model, DataType type, NDManager manager)
            throws IOException {
        Adapters prompt = PromptLearningMethod.readAdapter(dir, model, type, manager);
        return prompt != null ? prompt : new LoraMethod().read(dir, model, type, manager);
    }
}
