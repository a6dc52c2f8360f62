package io.kubetune.trainer.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kubetune.trainer.optim.DynamicLossScaler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An fp16 run's loss scale in a checkpoint ({@value #FILE}, as transformers' Trainer keeps {@code
 * scaler.pt}), so a resumed run continues with the scale it had learnt instead of starting again at
 * 2^16 and skipping steps to back off.
 */
final class LossScalerFile {
    static final String FILE = "loss_scaler.json";
    private static final Gson GSON = new Gson();

    private LossScalerFile() {}

    /** Writes the scaler's state into the checkpoint folder; nothing when the run has none. */
    static void write(Path checkpoint, DynamicLossScaler scaler) throws IOException {
        if (scaler != null) {
            Files.writeString(
                    checkpoint.resolve(FILE),
                    GSON.toJson(scaler.stateDict()),
                    StandardCharsets.UTF_8);
        }
    }

    /**
     * Restores the scaler from the checkpoint. A checkpoint without the file (written in fp32 or
     * bf16, before a reschedule to another kind of GPU) leaves the scaler at its start.
     */
    static void read(Path checkpoint, DynamicLossScaler scaler) throws IOException {
        Path file = checkpoint.resolve(FILE);
        if (scaler == null || !Files.exists(file)) {
            return;
        }
        JsonObject stored = GSON.fromJson(Files.readString(file), JsonObject.class);
        Map<String, Number> state = new LinkedHashMap<>();
        stored.entrySet().forEach(e -> state.put(e.getKey(), e.getValue().getAsNumber()));
        scaler.loadStateDict(state);
    }
}
