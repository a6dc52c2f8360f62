package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Expected values worked out by hand from transformers' processor code. */
class LogitsProcessorTest {

    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeOncePerToken() {
        float[] logits = {2f, -2f, 1f, 4f};
        LogitsProcessor.repetitionPenalty(logits, new long[] {0, 1, 0, 0}, 2.0);
        assertThat(logits).containsExactly(1f, -4f, 1f, 4f);
    }

    @Test
    void topKKeepsTiesAtTheKthValue() {
        float[] logits = {1f, 3f, 2f, 3f, 2f};
        LogitsProcessor.topK(logits, 3);
        assertThat(logits).containsExactly(NEG_INF, 3f, 2f, 3f, 2f);
    }

    @Test
    void topPRemovesTheTailWhoseMassIsAtMostOneMinusP() {
        // softmax of ln(p): probabilities 0.5, 0.3, 0.15, 0.05
        float[] logits = {
            (float) Math.log(0.5),
            (float) Math.log(0.3),
            (float) Math.log(0.15),
            (float) Math.log(0.05)
        };
        float[] copy = logits.clone();
        LogitsProcessor.topP(copy, 0.8); // ascending cumsum 0.05, 0.20, 0.50: remove <= 0.2
        assertThat(copy).containsExactly(logits[0], logits[1], NEG_INF, NEG_INF);
        copy = logits.clone();
        LogitsProcessor.topP(copy, 0.01); // keeps at least the most likely token
        assertThat(copy).containsExactly(logits[0], NEG_INF, NEG_INF, NEG_INF);
    }

    @Test
    void temperatureDividesAndSamplingFollowsTheDistribution() {
        float[] logits = {2f, 4f};
        LogitsProcessor.temperature(logits, 2.0);
        assertThat(logits).containsExactly(1f, 2f);
        Random random = new Random(7);
        int ones = 0;
        for (int i = 0; i < 4000; i++) {
            ones += Sampling.sample(new float[] {0f, (float) Math.log(3)}, random);
        }
        assertThat(ones / 4000.0).isBetween(0.72, 0.78);
        assertThat(Sampling.argmax(new float[] {1f, 5f, 5f})).isEqualTo(1);
        assertThat(Sampling.sample(new float[] {NEG_INF, 0f, NEG_INF}, random)).isEqualTo(1);
    }
}
