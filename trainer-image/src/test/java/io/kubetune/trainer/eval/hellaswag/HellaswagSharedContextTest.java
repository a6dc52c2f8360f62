package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.kubetune.trainer.eval.Fixtures;
import io.kubetune.trainer.eval.PretrainedModelLogLikelihood;
import io.kubetune.trainer.eval.TokenEncoders;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Running each item's context once and reusing its KV cache for the four endings gives the
 * log-likelihoods, greedy flags and predictions of running every ending whole (the path that
 * matches lm-eval), on the 200 peer items; prints items/s of both paths.
 */
class HellaswagSharedContextTest {

    private static final int BATCH_SIZE = 8;
    private static final int WARM_UP_ITEMS = 16;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void sharedContextScoresEqualWholeRows(String name) throws IOException {
        Path modelDir = Fixtures.resource("fixtures/models/" + name);
        List<HellaswagItem> items =
                HellaswagReader.read(Fixtures.resource("eval/peer/hellaswag_peer_items.jsonl"))
                        .requireMostlyValid()
                        .items();
        try (PretrainedModel model = PretrainedModel.load(modelDir, Device.cpu(), Precision.FP32);
                HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            int window = PretrainedModelLogLikelihood.lmEvalMaxLength(model.config());
            HellaswagScorer whole =
                    new HellaswagScorer(
                            TokenEncoders.of(tokenizer),
                            new PretrainedModelLogLikelihood(model, window, false),
                            BATCH_SIZE);
            HellaswagScorer shared =
                    new HellaswagScorer(
                            TokenEncoders.of(tokenizer),
                            new PretrainedModelLogLikelihood(model, window, true),
                            BATCH_SIZE);
            whole.score(items.subList(0, WARM_UP_ITEMS));
            shared.score(items.subList(0, WARM_UP_ITEMS));

            long start = System.nanoTime();
            HellaswagScores want = whole.score(items);
            double wholeSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            HellaswagScores got = shared.score(items);
            double sharedSeconds = (System.nanoTime() - start) / 1e9;

            double maxDiff = 0;
            for (int i = 0; i < items.size(); i++) {
                HellaswagItemResult w = want.items().get(i);
                HellaswagItemResult g = got.items().get(i);
                for (int c = 0; c < 4; c++) {
                    assertThat(g.ll()[c])
                            .as("ll %d of item %d", c, i)
                            .isCloseTo(w.ll()[c], within(1e-5));
                    assertThat(g.greedy()[c])
                            .as("greedy %d of item %d", c, i)
                            .isEqualTo(w.greedy()[c]);
                    maxDiff = Math.max(maxDiff, Math.abs(g.ll()[c] - w.ll()[c]));
                }
                assertThat(g.pred()).as("pred of item %d", i).isEqualTo(w.pred());
                assertThat(g.predNorm()).as("pred_norm of item %d", i).isEqualTo(w.predNorm());
            }
            System.out.printf(
                    "hellaswag shared context %s: %d items, max |ll shared - ll whole| %.2e,"
                            + " whole rows %.1f items/s, shared context %.1f items/s (x%.2f)%n",
                    name,
                    items.size(),
                    maxDiff,
                    items.size() / wholeSeconds,
                    items.size() / sharedSeconds,
                    wholeSeconds / sharedSeconds);
        }
    }
}
