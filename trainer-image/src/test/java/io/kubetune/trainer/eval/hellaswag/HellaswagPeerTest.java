package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.eval.Fixtures;
import io.kubetune.trainer.eval.PretrainedModelLogLikelihood;
import io.kubetune.trainer.eval.TokenEncoders;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peer check: lm-evaluation-harness (HFLM, float32) and kubetune score the same 200
 * hellaswag-format items with the same tiny random models; every log-likelihood agrees to 1e-4,
 * every prediction and both accuracies exactly (eval/peer, from hellaswag_peer_fixture.py).
 */
class HellaswagPeerTest {

    private static final int BATCH_SIZE = 8;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void matchesLmEvalOnATinyModel(String name) throws IOException {
        JsonObject want =
                JsonParser.parseString(
                                Files.readString(
                                        Fixtures.resource(
                                                "eval/peer/hellaswag_peer_" + name + ".json")))
                        .getAsJsonObject();
        Path modelDir = Fixtures.resource("fixtures/models/" + name);
        List<HellaswagItem> items =
                HellaswagReader.read(Fixtures.resource("eval/peer/hellaswag_peer_items.jsonl"))
                        .requireMostlyValid()
                        .items();

        HellaswagScores scores;
        double seconds;
        try (PretrainedModel model = PretrainedModel.load(modelDir, Device.cpu(), Precision.FP32);
                HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            PretrainedModelLogLikelihood scorer = new PretrainedModelLogLikelihood(model);
            assertThat(scorer.maxLength()).isEqualTo(want.get("max_length").getAsInt());
            long start = System.nanoTime();
            scores =
                    new HellaswagScorer(TokenEncoders.of(tokenizer), scorer, BATCH_SIZE)
                            .score(items);
            seconds = (System.nanoTime() - start) / 1e9;
        }

        JsonArray wantItems = want.getAsJsonArray("items");
        double maxDiff = 0;
        assertThat(scores.items()).hasSize(wantItems.size());
        for (int i = 0; i < wantItems.size(); i++) {
            JsonObject w = wantItems.get(i).getAsJsonObject();
            HellaswagItemResult got = scores.items().get(i);
            for (int c = 0; c < 4; c++) {
                maxDiff =
                        Math.max(
                                maxDiff,
                                Math.abs(
                                        got.ll()[c] - w.getAsJsonArray("ll").get(c).getAsDouble()));
                assertThat(got.ll()[c])
                        .as("ll %d of item %d", c, i)
                        .isCloseTo(w.getAsJsonArray("ll").get(c).getAsDouble(), within(1e-4));
                assertThat(got.greedy()[c])
                        .as("greedy %d of item %d", c, i)
                        .isEqualTo(w.getAsJsonArray("greedy").get(c).getAsBoolean());
            }
            assertThat(got.pred()).as("pred of item %d", i).isEqualTo(w.get("pred").getAsInt());
            assertThat(got.predNorm())
                    .as("pred_norm of item %d", i)
                    .isEqualTo(w.get("pred_norm").getAsInt());
        }
        assertThat(scores.acc().mean()).isEqualTo(want.get("acc").getAsDouble());
        assertThat(scores.accNorm().mean()).isEqualTo(want.get("acc_norm").getAsDouble());
        assertThat(scores.acc().stderr())
                .isCloseTo(want.get("acc_stderr").getAsDouble(), within(1e-12));
        assertThat(scores.accNorm().stderr())
                .isCloseTo(want.get("acc_norm_stderr").getAsDouble(), within(1e-12));
        System.out.printf(
                "hellaswag peer %s: %d items, max |ll - lm-eval ll| %.2e, kubetune %.1f items/s,"
                        + " lm-eval %.1f items/s (%d torch threads)%n",
                name,
                items.size(),
                maxDiff,
                items.size() / seconds,
                want.get("items_per_second").getAsDouble(),
                want.get("torch_threads").getAsInt());
    }
}
