package io.kubetune.trainer.model;

import io.kubetune.trainer.model.gpt2.Gpt2Family;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.llama.LlamaFamily;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Chooses the family from {@code config.json}'s {@code model_type} and builds its decoder. */
public final class ArchitectureRegistry {

    private final Map<String, DecoderFamily> families = new LinkedHashMap<>();

    /** Returns a registry of every family kubetune implements. */
    public static ArchitectureRegistry standard() {
        ArchitectureRegistry registry = new ArchitectureRegistry();
        LlamaFamily llama = new LlamaFamily();
        registry.register("gpt2", new Gpt2Family());
        registry.register("llama", llama);
        registry.register("mistral", llama);
        registry.register("qwen2", llama);
        return registry;
    }

    /**
     * Adds a family.
     *
     * @param modelType the {@code model_type} it answers to
     * @param family its config mapping and tensor names
     */
    public void register(String modelType, DecoderFamily family) {
        families.put(modelType, family);
    }

    /** Returns the supported {@code model_type} values. */
    public Set<String> supported() {
        return Collections.unmodifiableSet(families.keySet());
    }

    /**
     * Builds a causal LM (the LM head alone) from a config; see {@link #create(HfConfig, Heads)}.
     */
    public DecoderLm create(HfConfig config) {
        return create(config, Heads.LM);
    }

    /**
     * Builds the model a config describes.
     *
     * @param config a {@code config.json}
     * @param heads the heads to put on the decoder
     * @return an uninitialized model
     */
    public DecoderLm create(HfConfig config, Heads heads) {
        DecoderFamily family = family(config);
        return new DecoderLm(family.config(config), family, heads);
    }

    /** Returns the family of a config, or fails naming the supported ones. */
    public DecoderFamily family(HfConfig config) {
        String type = config.modelType();
        DecoderFamily family = families.get(type);
        if (family == null) {
            throw new IllegalArgumentException(
                    config.source()
                            + ": model_type '"
                            + type
                            + "' is not supported; supported: "
                            + String.join(", ", families.keySet()));
        }
        return family;
    }
}
