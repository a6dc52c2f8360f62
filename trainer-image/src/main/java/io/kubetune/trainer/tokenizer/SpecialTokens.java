package io.kubetune.trainer.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The special tokens of a model folder: bos, eos and pad named in {@code tokenizer_config.json} (a
 * string or an {@code {"content": ...}} object), resolved to ids through {@code tokenizer.json}'s
 * {@code added_tokens}, and the {@code chat_template}.
 *
 * @param bos the beginning-of-sequence token, if any
 * @param eos the end-of-sequence token, if any
 * @param pad the padding token, if any
 * @param chatTemplate the Jinja chat template, if any
 */
public record SpecialTokens(
        Optional<Token> bos,
        Optional<Token> eos,
        Optional<Token> pad,
        Optional<String> chatTemplate) {

    /**
     * A special token.
     *
     * @param content its text, e.g. {@code <|endoftext|>}
     * @param id its id
     */
    public record Token(String content, long id) {}

    /**
     * Reads the special tokens of a model folder.
     *
     * @param modelDir holds {@code tokenizer.json} and optionally {@code tokenizer_config.json}
     * @return the tokens; absent ones are empty
     * @throws IOException if a file cannot be read
     */
    public static SpecialTokens read(Path modelDir) throws IOException {
        Map<String, Long> added = addedTokens(modelDir.resolve("tokenizer.json"));
        Path configFile = modelDir.resolve("tokenizer_config.json");
        if (!Files.exists(configFile)) {
            return new SpecialTokens(
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
        JsonObject config = readObject(configFile);
        Optional<String> template =
                config.has("chat_template") && config.get("chat_template").isJsonPrimitive()
                        ? Optional.of(config.get("chat_template").getAsString())
                        : Optional.empty();
        return new SpecialTokens(
                token(config, "bos_token", added),
                token(config, "eos_token", added),
                token(config, "pad_token", added),
                template);
    }

    /**
     * The id batches are padded with: the pad token, else EOS (as transformers' trainers do for
     * models without one), else 0. Padded positions are masked, so the choice never reaches a loss.
     */
    public int paddingId() {
        return (int) pad.or(() -> eos).map(Token::id).orElse(0L).longValue();
    }

    private static Optional<Token> token(JsonObject config, String key, Map<String, Long> added) {
        JsonElement value = config.get(key);
        if (value == null || value.isJsonNull()) {
            return Optional.empty();
        }
        String content =
                value.isJsonObject()
                        ? value.getAsJsonObject().get("content").getAsString()
                        : value.getAsString();
        Long id = added.get(content);
        if (id == null) {
            throw new IllegalArgumentException(
                    "tokenizer_config.json names "
                            + key
                            + " '"
                            + content
                            + "', which tokenizer.json's added_tokens lack");
        }
        return Optional.of(new Token(content, id));
    }

    private static Map<String, Long> addedTokens(Path tokenizerJson) throws IOException {
        Map<String, Long> ids = new HashMap<>();
        JsonArray added = readObject(tokenizerJson).getAsJsonArray("added_tokens");
        if (added != null) {
            for (JsonElement e : added) {
                JsonObject t = e.getAsJsonObject();
                ids.put(t.get("content").getAsString(), t.get("id").getAsLong());
            }
        }
        return ids;
    }

    private static JsonObject readObject(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return JsonParser.parseReader(reader).getAsJsonObject();
        }
    }
}
