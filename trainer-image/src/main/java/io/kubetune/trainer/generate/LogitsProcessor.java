package io.kubetune.trainer.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.Scalars;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The next-token logit transforms of transformers' {@code generate}: on one row of F32 logits in
 * Java, in place, or on a {@code [rows, vocab]} array where it lives (batched sampling for training
 * never copies the vocabulary's logits to Java). Removed tokens become negative infinity.
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

    /** {@link #temperature(float[], double)} on {@code [rows, vocab]} F32 logits. */
    public static NDArray temperature(NDArray logits, double temperature) {
        return temperature == 1.0 ? logits : logits.div(Scalars.like(logits, temperature));
    }

    /**
     * {@link #topK(float[], int)} on {@code [rows, vocab]} F32 logits: each row keeps the logits at
     * least its k-th largest (ties stay).
     */
    public static NDArray topK(NDArray logits, int k) {
        long vocab = logits.getShape().get(1);
        if (k <= 0 || k >= vocab) {
            return logits;
        }
        NDArray kth = logits.topK(k, 1, true, true).get(0).get(":, " + (k - 1) + ":" + k);
        return removeBelow(logits, kth);
    }

    /**
     * {@link #topP(float[], double)} on {@code [rows, vocab]} F32 logits. The removed tokens of a
     * row are a prefix of its ascending order, so the row keeps every logit at least the first kept
     * one (a tie with it stays, where transformers may split the tie by index).
     */
    public static NDArray topP(NDArray logits, double p) {
        if (p >= 1.0) {
            return logits;
        }
        NDArray sorted = logits.sort(1);
        NDArray cumulative = sorted.softmax(1).cumSum(1);
        long vocab = logits.getShape().get(1);
        // The last (most likely) column is never removed, as min_tokens_to_keep = 1.
        NDArray removable = cumulative.get(":, :" + (vocab - 1));
        NDArray removed =
                removable
                        .lte(Scalars.like(removable, 1 - p))
                        .toType(DataType.INT64, false)
                        .sum(new int[] {1}, true);
        return removeBelow(logits, sorted.gather(removed, 1));
    }

    // Sets every logit of a row below the row's threshold ([rows, 1]) to negative infinity.
    private static NDArray removeBelow(NDArray logits, NDArray threshold) {
        // where() does not broadcast its operands here.
        NDArray minusInfinity =
                logits.getManager()
                        .full(logits.getShape(), Float.NEGATIVE_INFINITY, logits.getDataType());
        return NDArrays.where(logits.lt(threshold), minusInfinity, logits);
    }
}
