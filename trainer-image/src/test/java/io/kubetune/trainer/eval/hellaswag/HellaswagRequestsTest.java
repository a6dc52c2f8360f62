package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kubetune.trainer.eval.EncodedRequest;
import io.kubetune.trainer.eval.Fixtures;
import io.kubetune.trainer.eval.SyntheticModel;
import io.kubetune.trainer.eval.TestTokenizers;
import io.kubetune.trainer.eval.TokenEncoder;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The context / continuation token split of every fixture request against lm-eval's HFLM {@code
 * _encode_pair}, with a tokenizer that adds no special tokens (gpt2) and one that adds a BOS
 * (llama).
 */
class HellaswagRequestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void tokenSplitMatchesLmEval(String model) throws IOException {
        TokenEncoder encoder = TestTokenizers.encoder(model);
        HellaswagScorer scorer = new HellaswagScorer(encoder, new SyntheticModel(1, 1), 1);
        List<HellaswagItem> items = HellaswagReader.read(Fixtures.itemsJsonl()).items();
        JsonArray splits = Fixtures.model(model).getAsJsonArray("splits");
        assertThat(items).hasSize(splits.size());
        for (int i = 0; i < items.size(); i++) {
            List<EncodedRequest> requests =
                    scorer.encode(HellaswagPreprocessor.toDoc(items.get(i)));
            JsonObject want = splits.get(i).getAsJsonObject();
            JsonArray continuations = want.getAsJsonArray("continuations");
            for (int c = 0; c < requests.size(); c++) {
                assertThat(requests.get(c).context())
                        .as("context of item %d", i)
                        .containsExactly(Fixtures.ints(want.get("context")));
                assertThat(requests.get(c).continuation())
                        .as("continuation %d of item %d", c, i)
                        .containsExactly(Fixtures.ints(continuations.get(c)));
            }
        }
    }
}
