package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubetune.trainer.eval.ContinuationScore;
import io.kubetune.trainer.eval.Fixtures;
import io.kubetune.trainer.eval.LogLikelihoodModel;
import io.kubetune.trainer.eval.ScoringGroup;
import io.kubetune.trainer.eval.TokenEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * acc, acc_norm and their standard errors through the scorer, with a model whose log-likelihoods
 * are fixed numbers, against lm-eval's {@code process_results}, {@code mean} and {@code
 * mean_stderr} on the same numbers: first-max ties, length normalization in characters (an emoji is
 * one), a single item (no standard error).
 */
class HellaswagMetricsTest {

    // One token per code point, so the fake model can read the text back.
    private static final TokenEncoder CODE_POINTS = text -> text.codePoints().toArray();

    static Stream<JsonObject> cases() {
        return StreamSupport.stream(
                        Fixtures.reference().getAsJsonArray("metric_cases").spliterator(), false)
                .map(JsonElement::getAsJsonObject);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLmEvalMetrics(JsonObject c) {
        JsonArray want = c.getAsJsonArray("items");
        List<HellaswagItem> items = new ArrayList<>();
        Map<String, Double> lls = new HashMap<>();
        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.get(i).getAsJsonObject();
            List<String> choices = new ArrayList<>();
            w.getAsJsonArray("choices").forEach(e -> choices.add(e.getAsString()));
            items.add(
                    new HellaswagItem(
                            i,
                            null,
                            "case " + i,
                            "",
                            "",
                            choices,
                            w.get("gold").getAsInt(),
                            null,
                            null));
            for (int k = 0; k < 4; k++) {
                lls.put(
                        "case " + i + ":| " + choices.get(k),
                        w.getAsJsonArray("ll").get(k).getAsDouble());
            }
        }

        HellaswagScores scores =
                new HellaswagScorer(CODE_POINTS, new FixedModel(lls), 2).score(items);

        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.get(i).getAsJsonObject();
            HellaswagItemResult got = scores.items().get(i);
            assertThat(got.pred()).as("pred of item %d", i).isEqualTo(w.get("pred").getAsInt());
            assertThat(got.predNorm())
                    .as("pred_norm of item %d", i)
                    .isEqualTo(w.get("pred_norm").getAsInt());
            assertThat(got.acc()).isEqualTo(w.get("acc").getAsDouble());
            assertThat(got.accNorm()).isEqualTo(w.get("acc_norm").getAsDouble());
        }
        assertThat(scores.items()).hasSize(c.get("n").getAsInt());
        assertThat(scores.acc().mean()).isEqualTo(c.get("acc").getAsDouble());
        assertThat(scores.accNorm().mean()).isEqualTo(c.get("acc_norm").getAsDouble());
        assertStderr(scores.acc().stderr(), c.get("acc_stderr"));
        assertStderr(scores.accNorm().stderr(), c.get("acc_norm_stderr"));
    }

    private static void assertStderr(Double got, JsonElement want) {
        if (want.isJsonNull()) {
            assertThat(got).isNull();
        } else {
            assertThat(got).isCloseTo(want.getAsDouble(), within(1e-15));
        }
    }

    /** Returns the log-likelihood recorded for each (query, continuation) text. */
    private record FixedModel(Map<String, Double> lls) implements LogLikelihoodModel {

        @Override
        public int maxLength() {
            return 2048;
        }

        @Override
        public List<List<ContinuationScore>> score(List<ScoringGroup> batch) {
            List<List<ContinuationScore>> out = new ArrayList<>();
            for (ScoringGroup g : batch) {
                String context = new String(g.context(), 0, g.context().length);
                List<ContinuationScore> scores = new ArrayList<>();
                for (int[] continuation : g.continuations()) {
                    String key = context + "|" + new String(continuation, 0, continuation.length);
                    scores.add(new ContinuationScore(lls.get(key), false));
                }
                out.add(scores);
            }
            return out;
        }
    }
}
