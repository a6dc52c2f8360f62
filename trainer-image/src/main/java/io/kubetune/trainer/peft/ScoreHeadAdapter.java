package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reward model's adapter as PEFT writes one for sequence classification: task_type SEQ_CLS,
 * {@code modules_to_save: ["score"]} and the trained head as {@code base_model.model.score.weight},
 * so {@code PeftModel.from_pretrained} on an *ForSequenceClassification base restores adapter and
 * head together, and a head can never be silently re-initialised. {@link #read} restores the head
 * from such an adapter, PEFT's or ours.
 */
public final class ScoreHeadAdapter {
    /** The head's name in the file, as PEFT 0.21.2's save_pretrained writes it. */
    public static final String SCORE_KEY = "base_model.model.score.weight";

    /** The name in PEFT's live state dict, which hand-made files sometimes keep. */
    static final String LIVE_SCORE_KEY = "base_model.model.score.modules_to_save.default.weight";

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private ScoreHeadAdapter() {}

    /** Whether the adapter in {@code dir} saves the score head ({@code modules_to_save}). */
    public static boolean savesHead(Path dir) throws IOException {
        JsonObject config =
                GSON.fromJson(
                        Files.readString(dir.resolve(PeftAdapterFormat.CONFIG)), JsonObject.class);
        JsonElement modules = config.get("modules_to_save");
        if (modules == null || !modules.isJsonArray()) {
            return false;
        }
        for (JsonElement module : modules.getAsJsonArray()) {
            if ("score".equals(module.getAsString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies the adapter's score head into the model's. Nothing happens when the adapter saves no
     * head or the model was loaded without one (a causal LM may use a reward adapter's LoRA
     * weights); an adapter that lists {@code score} but lacks the tensor is refused, since a reward
     * model with a random head scores nothing.
     */
    public static void read(Path dir, DecoderLm model) throws IOException {
        if (model.scoreHead() == null || !savesHead(dir)) {
            return;
        }
        Path weights = dir.resolve(PeftAdapterFormat.WEIGHTS);
        NDArray head = model.scoreHead().weight().getArray();
        try (SafetensorsFile file = SafetensorsFile.open(weights);
                TensorLoader loader = new TensorLoader();
                NDManager scratch = head.getManager().newSubManager()) {
            String key =
                    file.names().contains(SCORE_KEY)
                            ? SCORE_KEY
                            : file.names().contains(LIVE_SCORE_KEY) ? LIVE_SCORE_KEY : null;
            if (key == null) {
                throw new IllegalArgumentException(
                        weights
                                + " has no "
                                + SCORE_KEY
                                + " although adapter_config.json lists score in modules_to_save;"
                                + " the reward head is missing, so save the adapter again from"
                                + " the trained PeftModel (save_pretrained) or the kubetune run");
            }
            NDArray loaded =
                    loader.load(file.tensor(key), WeightLayout.AS_IS, scratch, head.getDataType());
            if (!loaded.getShape().equals(head.getShape())) {
                throw new IllegalArgumentException(
                        weights
                                + ": "
                                + key
                                + " has shape "
                                + loaded.getShape()
                                + ", the model's score head "
                                + head.getShape()
                                + "; the adapter was trained on another base model");
            }
            loaded.copyTo(head);
        }
    }

    /** Adds {@code score} to the adapter PEFT-style in {@code dir}, written just before. */
    public static void add(Path dir, NDArray score) throws IOException {
        Path weights = dir.resolve(PeftAdapterFormat.WEIGHTS);
        try (NDManager manager = score.getManager().newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            try (SafetensorsFile file = SafetensorsFile.open(weights);
                    TensorLoader loader = new TensorLoader()) {
                for (String name : file.names()) {
                    tensors.put(
                            name,
                            loader.load(
                                    file.tensor(name),
                                    WeightLayout.AS_IS,
                                    manager,
                                    DataType.FLOAT32));
                }
            }
            tensors.put(SCORE_KEY, score);
            SafetensorsWriter.write(weights, tensors, Map.of("format", "pt"));
        }
        Path configFile = dir.resolve(PeftAdapterFormat.CONFIG);
        JsonObject config = GSON.fromJson(Files.readString(configFile), JsonObject.class);
        config.addProperty("task_type", "SEQ_CLS");
        JsonArray modules = new JsonArray();
        modules.add("score");
        config.add("modules_to_save", modules);
        Files.writeString(configFile, GSON.toJson(config), StandardCharsets.UTF_8);
    }
}
