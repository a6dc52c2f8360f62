package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kubetune.trainer.eval.Fixtures;
import io.kubetune.trainer.eval.ScoringGroup;
import io.kubetune.trainer.eval.SyntheticModel;
import io.kubetune.trainer.eval.TestTokenizers;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole scorer against lm-eval's evaluator run on the same items with the same synthetic model
 * (a bigram function of the tokens), windows small enough that some requests are truncated.
 */
class HellaswagScorerTest {

    @ParameterizedTest
    @CsvSource({"gpt2, 1", "gpt2, 3", "gpt2, 64", "llama, 5"})
    void matchesLmEvalItemForItem(String modelName, int batchSize) throws IOException {
        JsonObject run = Fixtures.model(modelName).getAsJsonObject("run");
        SyntheticModel model =
                new SyntheticModel(run.get("max_length").getAsInt(), run.get("vocab").getAsInt());
        List<HellaswagItem> items = HellaswagReader.read(Fixtures.itemsParquet()).items();

        HellaswagScores scores =
                new HellaswagScorer(TestTokenizers.encoder(modelName), model, batchSize)
                        .score(items);

        JsonArray want = run.getAsJsonArray("items");
        assertThat(scores.items()).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.get(i).getAsJsonObject();
            HellaswagItemResult got = scores.items().get(i);
            assertThat(got.idx()).isEqualTo(w.get("idx").getAsInt());
            assertThat(got.gold()).isEqualTo(w.get("gold").getAsInt());
            JsonArray ll = w.getAsJsonArray("ll");
            JsonArray greedy = w.getAsJsonArray("greedy");
            for (int c = 0; c < 4; c++) {
                assertThat(got.ll()[c])
                        .as("ll %d of item %d", c, i)
                        .isCloseTo(ll.get(c).getAsDouble(), within(1e-9));
                assertThat(got.greedy()[c])
                        .as("greedy %d of item %d", c, i)
                        .isEqualTo(greedy.get(c).getAsBoolean());
            }
            assertThat(got.pred()).as("pred of item %d", i).isEqualTo(w.get("pred").getAsInt());
            assertThat(got.predNorm())
                    .as("pred_norm of item %d", i)
                    .isEqualTo(w.get("pred_norm").getAsInt());
            assertThat(got.acc()).isEqualTo(w.get("acc").getAsDouble());
            assertThat(got.accNorm()).isEqualTo(w.get("acc_norm").getAsDouble());
        }
        assertThat(scores.acc().mean()).isEqualTo(run.get("acc").getAsDouble());
        assertThat(scores.accNorm().mean()).isEqualTo(run.get("acc_norm").getAsDouble());
        assertThat(scores.acc().stderr())
                .isCloseTo(run.get("acc_stderr").getAsDouble(), within(1e-15));
        assertThat(scores.accNorm().stderr())
                .isCloseTo(run.get("acc_norm_stderr").getAsDouble(), within(1e-15));
        assertBatchesSortedAndShared(model, batchSize);
    }

    private static void assertBatchesSortedAndShared(SyntheticModel model, int batchSize) {
        int previous = Integer.MAX_VALUE;
        int groups = 0;
        for (List<ScoringGroup> batch : model.batches()) {
            assertThat(batch.size()).isBetween(1, batchSize);
            for (ScoringGroup g : batch) {
                assertThat(g.longestSequence()).isLessThanOrEqualTo(previous);
                previous = g.longestSequence();
                assertThat(
                                g.context().length
                                        + g.continuations().stream()
                                                .mapToInt(c -> c.length)
                                                .max()
                                                .orElseThrow())
                        .isLessThanOrEqualTo(model.maxLength() + 1);
                groups++;
            }
        }
        // Untruncated items are one group of four: their context is read once.
        assertThat(
                        model.batches().stream()
                                .flatMap(List::stream)
                                .filter(g -> g.continuations().size() == 4))
                .isNotEmpty();
        assertThat(groups).isGreaterThan(0);
    }
}
