package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
 * head together, and a head can never be silently re-initialised.
 */
public final class ScoreHeadAdapter {
    public static final String SCORE_KEY = "base_model.model.score.weight";
    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private ScoreHeadAdapter() {}

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
