package io.kubetune.trainer.generate;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The next-token logit transforms of transformers' {@code generate}, on one row of F32 logits, in
 * place. Removed tokens become negative infinity.
 */
public final class LogitsProcessor {

    private LogitsProcessor() {}

    /**
     * {@code RepetitionPenaltyLogitsProcessor}: each token already in the sequence has its logit
     * divided by the penalty when positive and multiplied when negative.
     */
    public static void repetitionPenalty(float[] logits, long[] sequence, double penalty) {
        if (penalty == 1.0) {
            return;
        }
        float p = (float) penalty;
        Set<Long> seen = new HashSet<>();
        for (long id : sequence) {
            if (seen.add(id)) {
                int i = (int) id;
                logits[i] = logits[i] < 0 ? logits[i] * p : logits[i] / p;
            }
        }
    }

    /** {@code TemperatureLogitsWarper}: divides every logit by the temperature. */
    public static void temperature(float[] logits, double temperature) {
        if (temperature == 1.0) {
            return;
        }
        float t = (float) temperature;
        for (int i = 0; i < logits.length; i++) {
            logits[i] = logits[i] / t;
        }
    }

    /** {@code TopKLogitsWarper}: removes tokens below the k-th largest logit (ties stay). */
    public static void topK(float[] logits, int k) {
        if (k <= 0 || k >= logits.length) {
            return;
        }
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float kth = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < kth) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * {@code TopPLogitsWarper}: sorts ascending, and removes tokens whose cumulative probability is
     * at most {@code 1 - p}, always keeping the most likely one.
     */
    public static void topP(float[] logits, double p) {
        if (p >= 1.0) {
            return;
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
        double[] probabilities = Sampling.softmax(logits);
        double cumulative = 0;
        float threshold = (float) (1 - p);
        for (int rank = 0; rank < order.length - 1; rank++) {
            cumulative += probabilities[order[rank]];
            if ((float) cumulative <= threshold) {
                logits[order[rank]] = Float.NEGATIVE_INFINITY;
            } else {
                break;
            }
        }
    }
}
