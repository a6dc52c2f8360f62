package io.kubetune.trainer.model;

import io.kubetune.trainer.model.gpt2.Gpt2Model;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.llama.LlamaModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Chooses the model class from {@code config.json}'s {@code model_type}. */
public final class ArchitectureRegistry {

    private final Map<String, Function<HfConfig, CausalLm>> factories = new LinkedHashMap<>();

    /** Returns a registry of every family kubetune implements. */
    public static ArchitectureRegistry standard() {
        ArchitectureRegistry registry = new ArchitectureRegistry();
        registry.register("gpt2", Gpt2Model::fromConfig);
        registry.register("llama", LlamaModel::fromConfig);
        registry.register("mistral", LlamaModel::fromConfig);
        registry.register("qwen2", LlamaModel::fromConfig);
        return registry;
    }

    /**
     * Adds a family.
     *
     * @param modelType the {@code model_type} it answers to
     * @param factory builds an uninitialized model from the config
     */
    public void register(String modelType, Function<HfConfig, CausalLm> factory) {
        factories.put(modelType, factory);
    }

    /** Returns the supported {@code model_type} values. */
    public Set<String> supported() {
        return Collections.unmodifiableSet(factories.keySet());
    }

    /**
     * Builds the model a config describes.
     *
     * @param config a {@code config.json}
     * @return an uninitialized model
     */
    public CausalLm create(HfConfig config) {
        String type = config.modelType();
        Function<HfConfig, CausalLm> factory = factories.get(type);
        if (factory == null) {
            throw new IllegalArgumentException(
                    config.source()
                            + ": model_type '"
                            + type
                            + "' is not supported; supported: "
                            + String.join(", ", factories.keySet()));
        }
        return factory.apply(config);
    }
}
