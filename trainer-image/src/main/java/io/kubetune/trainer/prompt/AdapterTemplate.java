package io.kubetune.trainer.prompt;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The prompt template an adapter was trained with, kept beside it in {@value #FILE} ({@code
 * {"template": "alpaca"}}), so {@code generate} and {@code chat} prompt it as it was trained.
 * "model" is written only when the model has a chat template; otherwise the ChatML it fell back to.
 */
public final class AdapterTemplate {
    public static final String FILE = "kubetune_template.json";

    private AdapterTemplate() {}

    /** Writes the template the run used into the adapter folder. */
    public static void write(Path adapterDir, PromptTemplate requested, SpecialTokens tokens)
            throws IOException {
        PromptTemplate used =
                requested == PromptTemplate.MODEL && tokens.chatTemplate().isEmpty()
                        ? PromptTemplate.CHATML
                        : requested;
        JsonObject json = new JsonObject();
        json.addProperty("template", used.name().toLowerCase(Locale.ROOT));
        Files.writeString(adapterDir.resolve(FILE), json + "\n", StandardCharsets.UTF_8);
    }

    /** The template saved with the adapter, if it has one. */
    public static Optional<PromptTemplate> read(Path adapterDir) throws IOException {
        Path file = adapterDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            String name =
                    JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                            .getAsJsonObject()
                            .get("template")
                            .getAsString();
            return Optional.of(PromptTemplate.valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (RuntimeException e) {
            throw new UserInputException(
                    file
                            + " does not name a template (model, alpaca, vicuna or chatml): fix it"
                            + " or delete it and pass --template");
        }
    }
}
