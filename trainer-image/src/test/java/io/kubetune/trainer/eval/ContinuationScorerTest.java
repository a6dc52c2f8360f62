package io.kubetune.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContinuationScorerTest {

    /** Scores each continuation by its first token and records what it was given. */
    private static final class RecordingModel implements LogLikelihoodModel {
        final int maxLength;
        final List<List<ScoringGroup>> batches = new ArrayList<>();

        RecordingModel(int maxLength) {
            this.maxLength = maxLength;
        }

        @Override
        public int maxLength() {
            return maxLength;
        }

        @Override
        public List<List<ContinuationScore>> score(List<ScoringGroup> batch) {
            batches.add(batch);
            return batch.stream()
                    .map(
                            g ->
                                    g.continuations().stream()
                                            .map(c -> new ContinuationScore(-c[0], c.length == 1))
                                            .toList())
                    .toList();
        }
    }

    private static EncodedRequest request(int[] context, int... continuation) {
        return new EncodedRequest(context, continuation);
    }

    @Test
    void sharedContextsAreOneGroupAndResultsComeBackInOrder() {
        int[] shortContext = {1, 2};
        int[] longContext = {1, 2, 3, 4, 5};
        RecordingModel model = new RecordingModel(100);
        List<List<ContinuationScore>> scores =
                new ContinuationScorer(model, 1)
                        .score(
                                List.of(
                                        List.of(
                                                request(shortContext, 10),
                                                request(shortContext, 11, 12)),
                                        List.of(
                                                request(longContext, 20),
                                                request(longContext, 21))));

        assertThat(scores.get(0))
                .containsExactly(
                        new ContinuationScore(-10, true), new ContinuationScore(-11, false));
        assertThat(scores.get(1))
                .containsExactly(
                        new ContinuationScore(-20, true), new ContinuationScore(-21, true));
        // longest first: the second item's group (5 + 1) before the first's (2 + 2)
        assertThat(model.batches).hasSize(2);
        assertThat(model.batches.get(0).get(0).context()).containsExactly(longContext);
        assertThat(model.batches.get(1).get(0).continuations()).hasSize(2);
    }

    @Test
    void longRequestsLoseContextOnTheLeftAsLmEvalTruncates() {
        int[] context = {1, 2, 3, 4, 5, 6};
        RecordingModel model = new RecordingModel(4);
        new ContinuationScorer(model, 8)
                .score(
                        List.of(
                                List.of(
                                        request(context, 7),
                                        request(context, 8, 9),
                                        request(context, 10))));

        List<ScoringGroup> groups = model.batches.get(0);
        // (context + continuation)[-(4 + 1):]: 4 context tokens before a 1-token continuation,
        // 3 before a 2-token one; the two 1-token continuations still share their window.
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).context()).containsExactly(3, 4, 5, 6);
        assertThat(groups.get(0).continuations()).hasSize(2);
        assertThat(groups.get(1).context()).containsExactly(4, 5, 6);
    }

    @Test
    void aContinuationLongerThanTheWindowIsAnErrorNamingTheItem() {
        RecordingModel model = new RecordingModel(2);
        assertThatThrownBy(
                        () ->
                                new ContinuationScorer(model, 1)
                                        .score(List.of(List.of(request(new int[] {1}, 2, 3, 4)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("item 0")
                .hasMessageContaining("2-token window");
    }

    @Test
    void emptySplitsAreRejected() {
        assertThatThrownBy(() -> new EncodedRequest(new int[0], new int[] {1}))
                .hasMessageContaining("context");
        assertThatThrownBy(() -> new RequestEncoder(t -> new int[] {1}).encode("", "x"))
                .hasMessageContaining("empty context");
    }

    @Test
    void trailingContextSpacesMoveToTheContinuation() {
        List<String> seen = new ArrayList<>();
        TokenEncoder encoder =
                text -> {
                    seen.add(text);
                    return text.codePoints().toArray();
                };
        EncodedRequest r = new RequestEncoder(encoder).encode("Then\u00a0 ", " go");
        assertThat(seen).containsExactly("Then\u00a0  go", "Then");
        assertThat(new String(r.continuation(), 0, r.continuation().length))
                .isEqualTo("\u00a0  go");
    }

    @Test
    void sampleMeanFollowsLmEval() {
        assertThat(SampleMean.of(new double[] {1})).isEqualTo(new SampleMean(1, null, 1));
        SampleMean m = SampleMean.of(new double[] {1, 0, 0, 1});
        assertThat(m.mean()).isEqualTo(0.5);
        // sqrt(sum((x - 0.5)^2) / (n - 1)) / sqrt(n) = sqrt(1/3) / 2
        assertThat(m.stderr()).isEqualTo(Math.sqrt(1.0 / 3) / 2);
    }
}
