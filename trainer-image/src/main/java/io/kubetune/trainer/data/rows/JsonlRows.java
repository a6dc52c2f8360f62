package io.kubetune.trainer.data.rows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a JSON Lines file: one JSON object a line; blank lines are not rows. */
public final class JsonlRows {

    private JsonlRows() {}

    /**
     * Reads every row of {@code file} into {@code sink}.
     *
     * @throws IOException if the file cannot be read
     */
    public static void read(Path file, RowSink sink) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int index = 0;
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonElement json;
                try {
                    json = JsonParser.parseString(line);
                } catch (JsonParseException e) { // its message would quote the line: not shown
                    sink.unreadable(index++, "line " + lineNumber + " is not JSON");
                    continue;
                }
                if (!json.isJsonObject()) {
                    sink.unreadable(index++, "line " + lineNumber + " is not a JSON object");
                    continue;
                }
                sink.row(index++, toMap(json.getAsJsonObject()));
            }
        }
    }

    private static Map<String, Object> toMap(JsonObject object) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            map.put(e.getKey(), toJava(e.getValue()));
        }
        return map;
    }

    private static Object toJava(JsonElement json) {
        if (json == null || json.isJsonNull()) {
            return null;
        }
        if (json.isJsonObject()) {
            return toMap(json.getAsJsonObject());
        }
        if (json.isJsonArray()) {
            JsonArray array = json.getAsJsonArray();
            List<Object> list = new ArrayList<>(array.size());
            array.forEach(e -> list.add(toJava(e)));
            return list;
        }
        JsonPrimitive p = json.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            return number(p.getAsString());
        }
        return p.getAsString();
    }

    // The number as written: 3 is a Long, 3.0 and 3e0 are Doubles.
    private static Object number(String literal) {
        if (literal.matches("-?[0-9]+")) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLong) {
                return Double.parseDouble(literal);
            }
        }
        return Double.parseDouble(literal);
    }
}
