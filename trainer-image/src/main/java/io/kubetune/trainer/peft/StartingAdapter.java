package io.kubetune.trainer.peft;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The adapter a job starts from ({@code spec.model.adapter}): read onto the base and folded into
 * its weights as PEFT's merge_and_unload, so the job's own method trains on top of base plus
 * adapter exactly as it would on the merged model.
 */
public final class StartingAdapter {
    private StartingAdapter() {}

    /**
     * Merges the LoRA (or DoRA) adapter in {@code dir} into {@code model}; the weights it touched
     * stay frozen until the job's method chooses what trains.
     *
     * @throws UserInputException when the folder is no PEFT adapter, or one that has no weights to
     *     merge into (prompt learning)
     */
    public static void mergeInto(Path dir, PretrainedModel model) throws IOException {
        refuseUnmergeable(dir);
        new LoraMethod()
                .read(dir, model.block(), model.precision().dataType(), model.manager())
                .merge();
    }

    /** Only LoRA adds to linear weights; prompt learning adds virtual tokens, nothing to fold. */
    public static void refuseUnmergeable(Path dir) throws IOException {
        Path config = dir.resolve(PeftAdapterFormat.CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new UserInputException(
                    "spec.model.adapter.uri: "
                            + dir
                            + " has no "
                            + PeftAdapterFormat.CONFIG
                            + "; point it at a PEFT adapter folder (e.g. a LoRA job's adapter/)");
        }
        JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        JsonElement type = json.get("peft_type");
        String peftType = type == null || type.isJsonNull() ? "(none)" : type.getAsString();
        if (!"LORA".equals(peftType)) {
            throw new UserInputException(
                    "spec.model.adapter.uri: "
                            + dir
                            + " holds a "
                            + peftType
                            + " adapter, which cannot be merged into the base weights (only LORA"
                            + " and DoRA adapters can); start from a LoRA adapter, or from the"
                            + " base model alone");
        }
    }
}
