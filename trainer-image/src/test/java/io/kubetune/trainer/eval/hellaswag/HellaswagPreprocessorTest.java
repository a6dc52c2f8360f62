package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubetune.trainer.eval.Fixtures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queries, choices, gold and request strings of the fixture items (wikihow brackets, [title],
 * double spaces, capitalization of ctx_b, trailing and odd spaces, non-ASCII case mapping) against
 * lm-eval's own hellaswag task.
 */
class HellaswagPreprocessorTest {

    private static List<HellaswagItem> items;
    private static JsonArray docs;

    @BeforeAll
    static void load() throws IOException {
        HellaswagDataset dataset = HellaswagReader.read(Fixtures.itemsJsonl());
        assertThat(dataset.malformed()).isEmpty();
        items = dataset.items();
        docs = Fixtures.reference().getAsJsonArray("docs");
        assertThat(items).hasSize(docs.size());
    }

    @Test
    void docsMatchLmEvalProcessDocs() {
        for (int i = 0; i < items.size(); i++) {
            HellaswagDoc doc = HellaswagPreprocessor.toDoc(items.get(i));
            JsonObject want = docs.get(i).getAsJsonObject();
            assertThat(doc.query())
                    .as("query of item %d", i)
                    .isEqualTo(want.get("query").getAsString());
            assertThat(doc.choices())
                    .as("choices of item %d", i)
                    .isEqualTo(strings(want.getAsJsonArray("choices")));
            assertThat(doc.gold()).as("gold of item %d", i).isEqualTo(want.get("gold").getAsInt());
        }
    }

    @Test
    void requestsMatchLmEvalConstructRequests() {
        for (int i = 0; i < items.size(); i++) {
            HellaswagDoc doc = HellaswagPreprocessor.toDoc(items.get(i));
            JsonArray want = docs.get(i).getAsJsonObject().getAsJsonArray("requests");
            for (int c = 0; c < doc.choices().size(); c++) {
                JsonArray pair = want.get(c).getAsJsonArray();
                assertThat(doc.query()).isEqualTo(pair.get(0).getAsString());
                assertThat(HellaswagScorer.TARGET_DELIMITER + doc.choices().get(c))
                        .as("continuation %d of item %d", c, i)
                        .isEqualTo(pair.get(1).getAsString());
            }
        }
    }

    @Test
    void fixturesCoverTheTrickyCases() {
        List<String> queries = new ArrayList<>();
        docs.forEach(d -> queries.add(d.getAsJsonObject().get("query").getAsString()));
        assertThat(queries).anyMatch(q -> q.endsWith(" ")); // moved into the continuation
        assertThat(items).anyMatch(i -> i.ctxA().contains("[title]"));
        assertThat(items).anyMatch(i -> i.ctxB().contains("  "));
        assertThat(items).anyMatch(i -> i.ctxB().isEmpty());
        assertThat(items).anyMatch(i -> i.endings().contains(""));
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array) {
            out.add(e.getAsString());
        }
        return out;
    }
}
