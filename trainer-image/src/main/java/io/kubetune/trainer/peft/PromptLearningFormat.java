package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.decoder.AttentionSpec;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Prompt-learning adapters in PEFT's format: one tensor {@code prompt_embeddings} (prompt tuning:
 * the table; P-tuning: the encoder's output; prefix tuning: the keys and values, {@code [virtual,
 * layers * 2 * kvHeads * headDim]}) and {@code adapter_config.json} with PEFT's fields.
 */
public final class PromptLearningFormat {
    public static final String TENSOR = "prompt_embeddings";
    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private PromptLearningFormat() {}

    /** A saved adapter: its method, settings and table. */
    record Saved(MethodType type, PromptLearningSpec spec, NDArray table) {}

    /** PEFT's {@code peft_type} of a method. */
    static String peftType(MethodType type) {
        return switch (type) {
            case PROMPT_TUNING -> "PROMPT_TUNING";
            case PREFIX_TUNING -> "PREFIX_TUNING";
            case P_TUNING -> "P_TUNING";
            default -> throw new IllegalArgumentException(type + " is not prompt learning");
        };
    }

    /** The method of a {@code peft_type}, or null when it is not prompt learning. */
    static MethodType methodOf(String peftType) {
        return switch (peftType) {
            case "PROMPT_TUNING" -> MethodType.PROMPT_TUNING;
            case "PREFIX_TUNING" -> MethodType.PREFIX_TUNING;
            case "P_TUNING" -> MethodType.P_TUNING;
            default -> null;
        };
    }

    static void write(
            Path dir,
            MethodType type,
            PromptLearningSpec spec,
            NDArray table,
            DecoderLm model,
            String baseModel)
            throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(
                dir.resolve(PeftAdapterFormat.WEIGHTS),
                Map.of(TENSOR, table),
                Map.of("format", "pt"));
        Files.writeString(
                dir.resolve(PeftAdapterFormat.CONFIG),
                GSON.toJson(config(type, spec, model, baseModel)),
                StandardCharsets.UTF_8);
    }

    private static JsonObject config(
            MethodType type, PromptLearningSpec spec, DecoderLm model, String baseModel) {
        AttentionSpec attention = model.config().attention();
        boolean prefix = type == MethodType.PREFIX_TUNING;
        // For prefix tuning PEFT sizes everything by the key/value heads (grouped-query models).
        int heads = prefix ? attention.kvHeads() : attention.heads();
        int tokenDim = prefix ? attention.kvHeads() * attention.headDim() : model.hiddenSize();
        JsonObject config = new JsonObject();
        config.addProperty("peft_type", peftType(type));
        config.addProperty("task_type", "CAUSAL_LM");
        config.addProperty("base_model_name_or_path", baseModel);
        config.addProperty("num_virtual_tokens", spec.numVirtualTokens);
        config.addProperty("token_dim", tokenDim);
        config.addProperty("num_transformer_submodules", 1);
        config.addProperty("num_attention_heads", heads);
        config.addProperty("num_layers", model.numLayers());
        config.addProperty("inference_mode", true);
        config.add("modules_to_save", JsonNull.INSTANCE);
        config.add("revision", JsonNull.INSTANCE);
        config.add("auto_mapping", JsonNull.INSTANCE);
        switch (type) {
            case PROMPT_TUNING -> {
                PromptLearningSpec.Init init =
                        spec.init == null ? PromptLearningSpec.Init.RANDOM : spec.init;
                config.addProperty("prompt_tuning_init", init.name());
                config.addProperty("prompt_tuning_init_text", spec.initText);
                // PEFT's config refuses TEXT without a tokenizer to name.
                config.addProperty(
                        "tokenizer_name_or_path",
                        init == PromptLearningSpec.Init.TEXT ? baseModel : null);
                config.add("tokenizer_kwargs", JsonNull.INSTANCE);
            }
            case PREFIX_TUNING -> {
                config.addProperty("encoder_hidden_size", tokenDim);
                config.addProperty("prefix_projection", false);
            }
            default -> {
                config.addProperty(
                        "encoder_reparameterization_type",
                        (spec.encoder == null ? PromptLearningSpec.Encoder.MLP : spec.encoder)
                                .name());
                config.addProperty("encoder_hidden_size", encoderHiddenSize(spec, model));
                config.addProperty("encoder_num_layers", 2);
                config.addProperty("encoder_dropout", 0.0);
            }
        }
        return config;
    }

    /** P-tuning's encoder width: as set, else the model's hidden size (PEFT's token_dim). */
    static int encoderHiddenSize(PromptLearningSpec spec, DecoderLm model) {
        return spec.encoderHiddenSize != null ? spec.encoderHiddenSize : model.hiddenSize();
    }

    /** Reads a prompt-learning adapter; null when the folder holds another PEFT method. */
    static Saved read(Path dir, DataType dataType, NDManager manager) throws IOException {
        Path configFile = dir.resolve(PeftAdapterFormat.CONFIG);
        JsonObject config = GSON.fromJson(Files.readString(configFile), JsonObject.class);
        MethodType type = methodOf(config.get("peft_type").getAsString());
        if (type == null) {
            return null;
        }
        PromptLearningSpec spec = new PromptLearningSpec();
        spec.numVirtualTokens = config.get("num_virtual_tokens").getAsInt();
        if (type == MethodType.PROMPT_TUNING && has(config, "prompt_tuning_init")) {
            spec.init = constant(config, "prompt_tuning_init", PromptLearningSpec.Init.class);
            spec.initText = optional(config, "prompt_tuning_init_text", JsonElement::getAsString);
        }
        if (type == MethodType.P_TUNING && has(config, "encoder_reparameterization_type")) {
            spec.encoder =
                    constant(
                            config,
                            "encoder_reparameterization_type",
                            PromptLearningSpec.Encoder.class);
            spec.encoderHiddenSize = optional(config, "encoder_hidden_size", JsonElement::getAsInt);
        }
        Integer written = optional(config, "num_transformer_submodules", JsonElement::getAsInt);
        int submodules = written != null ? written : 1;
        if (submodules != 1) {
            throw new IllegalArgumentException(
                    configFile
                            + ": num_transformer_submodules "
                            + submodules
                            + " is an encoder-decoder adapter; use one made for a causal LM (1)");
        }
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(PeftAdapterFormat.WEIGHTS));
                TensorLoader loader = new TensorLoader()) {
            if (!file.contains(TENSOR)) {
                throw new IllegalArgumentException(
                        dir.resolve(PeftAdapterFormat.WEIGHTS)
                                + " has no "
                                + TENSOR
                                + ", which a "
                                + peftType(type)
                                + " adapter holds; write the adapter again with PEFT or kubetune");
            }
            NDArray table = loader.load(file.tensor(TENSOR), WeightLayout.AS_IS, manager, dataType);
            if (table.getShape().get(0) != spec.numVirtualTokens) {
                throw new IllegalArgumentException(
                        dir.resolve(PeftAdapterFormat.WEIGHTS)
                                + ": "
                                + TENSOR
                                + " has "
                                + table.getShape().get(0)
                                + " rows, but num_virtual_tokens is "
                                + spec.numVirtualTokens
                                + "; write the adapter again");
            }
            return new Saved(type, spec, table);
        }
    }

    private static boolean has(JsonObject config, String key) {
        return config.has(key) && !config.get(key).isJsonNull();
    }

    /** The config's value at {@code key}, null when PEFT left it out or wrote null. */
    private static <T> T optional(JsonObject config, String key, Function<JsonElement, T> as) {
        return has(config, key) ? as.apply(config.get(key)) : null;
    }

    /** The enum constant PEFT wrote in lower case at {@code key}. */
    private static <E extends Enum<E>> E constant(JsonObject config, String key, Class<E> type) {
        return Enum.valueOf(type, config.get(key).getAsString().toUpperCase(Locale.ROOT));
    }
}
