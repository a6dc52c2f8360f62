package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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

    @Test
    void onDeviceTopKAndTopPRemoveWhatTheJavaVersionsRemove() {
        Random random = new Random(7);
        int rows = 4;
        int vocab = 64;
        float[] flat = new float[rows * vocab];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) (random.nextGaussian() * 2);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(flat, new Shape(rows, vocab));
            float[] topK = LogitsProcessor.topK(logits, 7).toFloatArray();
            float[] topP = LogitsProcessor.topP(logits, 0.8).toFloatArray();
            for (int r = 0; r < rows; r++) {
                float[] k = java.util.Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
                float[] p = k.clone();
                LogitsProcessor.topK(k, 7);
                LogitsProcessor.topP(p, 0.8);
                assertThat(java.util.Arrays.copyOfRange(topK, r * vocab, (r + 1) * vocab))
                        .containsExactly(k);
                assertThat(java.util.Arrays.copyOfRange(topP, r * vocab, (r + 1) * vocab))
                        .containsExactly(p);
            }
        }
    }

    @Test
    void onDeviceDrawsFollowTheSoftmax() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(11);
            // p = 0.75 for index 1, 0.25 for index 0, none for index 2; 4000 rows at once.
            float[] row = {0f, (float) Math.log(3), NEG_INF};
            float[] flat = new float[3 * 4000];
            for (int i = 0; i < 4000; i++) {
                System.arraycopy(row, 0, flat, 3 * i, 3);
            }
            long[] drawn = Sampling.sample(m.create(flat, new Shape(4000, 3))).toLongArray();
            long ones = java.util.Arrays.stream(drawn).filter(d -> d == 1).count();
            assertThat(ones / 4000.0).isBetween(0.72, 0.78);
            assertThat(java.util.Arrays.stream(drawn).noneMatch(d -> d == 2)).isTrue();
        }
    }
}
