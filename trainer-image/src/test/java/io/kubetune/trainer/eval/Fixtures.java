package io.kubetune.trainer.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The test resources: {@code eval/hellaswag_reference.json} and the items it was made from
 * (tools/reference/hellaswag_preprocess_fixture.py), and the tokenizer fixtures.
 */
public final class Fixtures {

    private static JsonObject reference;

    private Fixtures() {}

    /** A test resource as a file. */
    public static Path resource(String name) {
        URL url = Fixtures.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException(
                    "test resource "
                            + name
                            + " is missing; the tokenizer fixtures come from"
                            + " tools/reference/make_model_fixtures.py, the eval ones from"
                            + " tools/reference/hellaswag_preprocess_fixture.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What lm-eval produced for the fixture items. */
    public static synchronized JsonObject reference() {
        if (reference == null) {
            try {
                reference =
                        JsonParser.parseString(
                                        Files.readString(resource("eval/hellaswag_reference.json")))
                                .getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }

    /** The fixture items in the rowanz JSONL layout. */
    public static Path itemsJsonl() {
        return resource("eval/hellaswag_items.jsonl");
    }

    /** The same items in the Hugging Face Parquet layout. */
    public static Path itemsParquet() {
        return resource("eval/hellaswag_items.parquet");
    }

    /** One tokenizer model's part of the reference ({@code gpt2} or {@code llama}). */
    public static JsonObject model(String name) {
        return reference().getAsJsonObject("models").getAsJsonObject(name);
    }

    /**
     * The tokenizer.json of a fixture model, checked to be the file the reference was made with.
     */
    public static Path tokenizer(String name) {
        JsonObject t = model(name).getAsJsonObject("tokenizer");
        Path file = resource(t.get("path").getAsString());
        String want = t.get("sha256").getAsString();
        String got = sha256(file);
        if (!want.equals(got)) {
            throw new IllegalStateException(
                    file
                            + " is not the tokenizer hellaswag_reference.json was made with (sha256 "
                            + got
                            + ", want "
                            + want
                            + "); rerun tools/reference/hellaswag_preprocess_fixture.py");
        }
        return file;
    }

    /** A JSON array of numbers as ints. */
    public static int[] ints(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    /** A JSON number, or "nan", "inf", "-inf" as Python's repr writes them. */
    public static double number(JsonElement e) {
        if (e.isJsonNull()) {
            return Double.NaN;
        }
        if (e.getAsJsonPrimitive().isString()) {
            return switch (e.getAsString()) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(e.toString());
            };
        }
        return e.getAsDouble();
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
