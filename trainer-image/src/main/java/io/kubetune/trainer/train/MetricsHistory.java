package io.kubetune.trainer.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lines of {@code metrics.jsonl}: one per training step and one per evaluation. A resumed run
 * redoes the steps after its checkpoint, so the history keeps one line per step and kind, the last
 * written.
 */
final class MetricsHistory {
    static final String FILE = "metrics.jsonl";

    private MetricsHistory() {}

    /** Every step's and evaluation's line once, in step order (training before evaluation). */
    static List<JsonObject> read(Path file) throws IOException {
        Map<String, JsonObject> byKey = new LinkedHashMap<>();
        for (JsonObject line : lines(file)) {
            byKey.remove(key(line)); // a redone step moves to where it was written again
            byKey.put(key(line), line);
        }
        List<JsonObject> ordered = new ArrayList<>(byKey.values());
        ordered.sort(
                Comparator.comparingLong((JsonObject o) -> o.get("step").getAsLong())
                        .thenComparing(MetricsHistory::isEvaluation));
        return ordered;
    }

    /** Drops the lines after {@code step}: a run resumed there writes them again. */
    static void keepUpTo(Path file, long step) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (JsonObject line : lines(file)) {
            if (line.get("step").getAsLong() <= step) {
                kept.append(line).append('\n');
            }
        }
        Files.writeString(file, kept, StandardCharsets.UTF_8);
    }

    static boolean isEvaluation(JsonObject line) {
        return line.has("eval_loss");
    }

    private static String key(JsonObject line) {
        return line.get("step").getAsLong() + (isEvaluation(line) ? "e" : "t");
    }

    private static List<JsonObject> lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            // A line cut short by a kill is skipped, not fatal.
            if (!line.isBlank() && line.strip().endsWith("}")) {
                out.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return out;
    }
}
