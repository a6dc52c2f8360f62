package io.kubetune.trainer.eval.hellaswag;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A finished hellaswag run and its files: the summary ({@value #SUMMARY_FILE}, the EvalJob result
 * shape), one line per scored item ({@value #ITEMS_FILE}) and, when some were skipped, one line per
 * malformed item ({@value #MALFORMED_FILE}).
 *
 * @param result the summary
 * @param items per scored item
 * @param malformed the items skipped
 */
public record HellaswagReport(
        HellaswagResult result, List<HellaswagItemResult> items, List<MalformedItem> malformed) {

    /** The summary file's name. */
    public static final String SUMMARY_FILE = "hellaswag.json";

    /** The per-item file's name. */
    public static final String ITEMS_FILE = "hellaswag_items.jsonl";

    /** The skipped items' file's name. */
    public static final String MALFORMED_FILE = "hellaswag_malformed.jsonl";

    // Log-likelihoods can be -Infinity (an ending the model rules out); Python's json writes it
    // too.
    private static final Gson GSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    /** Copies the lists. */
    public HellaswagReport {
        items = List.copyOf(items);
        malformed = List.copyOf(malformed);
    }

    /** Writes the files into {@code dir}, creating it if needed. */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SUMMARY_FILE), GSON.toJson(summaryJson()) + "\n");
        try (Writer out =
                Files.newBufferedWriter(dir.resolve(ITEMS_FILE), StandardCharsets.UTF_8)) {
            for (HellaswagItemResult item : items) {
                out.write(GSON.toJson(itemJson(item)));
                out.write('\n');
            }
        }
        Path malformedFile = dir.resolve(MALFORMED_FILE);
        Files.deleteIfExists(malformedFile);
        if (!malformed.isEmpty()) {
            try (Writer out = Files.newBufferedWriter(malformedFile, StandardCharsets.UTF_8)) {
                for (MalformedItem m : malformed) {
                    JsonObject o = new JsonObject();
                    o.addProperty("idx", m.index());
                    o.addProperty("reason", m.reason());
                    out.write(GSON.toJson(o));
                    out.write('\n');
                }
            }
        }
    }

    /** The summary, with EvalResult's field names; absent values are left out, as there. */
    public JsonObject summaryJson() {
        JsonObject o = new JsonObject();
        o.addProperty("task", result.task());
        o.addProperty("acc", result.acc());
        o.addProperty("accStderr", result.accStderr());
        o.addProperty("accNorm", result.accNorm());
        o.addProperty("accNormStderr", result.accNormStderr());
        o.addProperty("n", result.n());
        o.addProperty("model", result.model());
        o.addProperty("adapter", result.adapter());
        o.addProperty("durationSeconds", result.durationSeconds());
        o.entrySet().removeIf(e -> e.getValue().isJsonNull());
        return o;
    }

    /** One line of the per-item file, with lm-eval's names (pred_norm, acc_norm). */
    public static JsonObject itemJson(HellaswagItemResult item) {
        JsonObject o = new JsonObject();
        o.addProperty("idx", item.idx());
        o.addProperty("gold", item.gold());
        JsonArray ll = new JsonArray();
        JsonArray greedy = new JsonArray();
        for (int i = 0; i < item.ll().length; i++) {
            ll.add(item.ll()[i]);
            greedy.add(item.greedy()[i]);
        }
        o.add("ll", ll);
        o.add("greedy", greedy);
        o.addProperty("pred", item.pred());
        o.addProperty("pred_norm", item.predNorm());
        o.addProperty("acc", item.acc());
        o.addProperty("acc_norm", item.accNorm());
        return o;
    }
}
