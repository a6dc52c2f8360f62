package io.kubetune.trainer.model.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face {@code config.json} (or any of its JSON siblings), read with typed getters whose
 * errors name the file and the key.
 *
 * <p>Gson comes with DJL's api, which uses it for its own JSON.
 */
public final class HfConfig {

    private static final Gson GSON = new Gson();

    private final JsonObject json;
    private final String source;

    private HfConfig(JsonObject json, String source) {
        this.json = json;
        this.source = source;
    }

    /**
     * Reads a JSON file.
     *
     * @param file the file, e.g. {@code config.json}
     * @return the config
     * @throws IOException if it cannot be read or is not a JSON object
     */
    public static HfConfig read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            JsonElement parsed = JsonParser.parseReader(reader);
            if (!parsed.isJsonObject()) {
                throw new IOException(file + " is not a JSON object");
            }
            return new HfConfig(parsed.getAsJsonObject(), file.toString());
        }
    }

    /**
     * Makes a config from values in memory, as a {@code config.json} would hold them.
     *
     * @param values keys and values (numbers, strings, booleans, maps, lists)
     * @param source a name for error messages
     * @return the config
     */
    public static HfConfig of(Map<String, ?> values, String source) {
        return new HfConfig(GSON.toJsonTree(values).getAsJsonObject(), source);
    }

    /**
     * Returns a copy with one key set, for a config written back (a reward model's labels).
     *
     * @param key the key
     * @param value a number, string, boolean, map or list
     * @return the changed copy; this config is unchanged
     */
    public HfConfig with(String key, Object value) {
        JsonObject copy = json.deepCopy();
        copy.add(key, GSON.toJsonTree(value));
        return new HfConfig(copy, source);
    }

    /** Returns the config as a pretty-printed {@code config.json}. */
    public String toJson() {
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(json);
    }

    /** Returns {@code model_type}, which chooses the architecture. */
    public String modelType() {
        return getString("model_type");
    }

    /** Returns whether the key is present and not null. */
    public boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    /** Returns a required string. */
    public String getString(String key) {
        return require(key).getAsString();
    }

    /** Returns an optional string. */
    public Optional<String> optString(String key) {
        return has(key) ? Optional.of(json.get(key).getAsString()) : Optional.empty();
    }

    /** Returns a required integer. */
    public int getInt(String key) {
        return asInt(key, require(key));
    }

    /** Returns an integer or {@code fallback} when absent or null. */
    public int optInt(String key, int fallback) {
        return has(key) ? asInt(key, json.get(key)) : fallback;
    }

    /** Returns a required number. */
    public double getDouble(String key) {
        return require(key).getAsDouble();
    }

    /** Returns a number or {@code fallback} when absent or null. */
    public double optDouble(String key, double fallback) {
        return has(key) ? json.get(key).getAsDouble() : fallback;
    }

    /** Returns a boolean or {@code fallback} when absent or null. */
    public boolean optBoolean(String key, boolean fallback) {
        return has(key) ? json.get(key).getAsBoolean() : fallback;
    }

    /** Returns a nested object as a config, if present and an object. */
    public Optional<HfConfig> optObject(String key) {
        if (has(key) && json.get(key).isJsonObject()) {
            return Optional.of(new HfConfig(json.getAsJsonObject(key), source + " " + key));
        }
        return Optional.empty();
    }

    /** Returns the raw JSON value, for keys that may be a number or a list. */
    public Optional<JsonElement> optRaw(String key) {
        return has(key) ? Optional.of(json.get(key)) : Optional.empty();
    }

    /** Returns where this config came from, for error messages. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source + ": " + json;
    }

    private JsonElement require(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException(source + " has no '" + key + "'");
        }
        return json.get(key);
    }

    private int asInt(String key, JsonElement value) {
        double number = value.getAsDouble();
        if (number != Math.rint(number)) {
            throw new IllegalArgumentException(
                    source + " '" + key + "' must be an integer, not " + value);
        }
        return (int) number;
    }
}
