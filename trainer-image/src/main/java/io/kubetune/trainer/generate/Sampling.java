package io.kubetune.trainer.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Random;

/**
 * Picks the next token from processed logits: the argmax, or a draw from their softmax; on one row
 * in Java, or on every row of a {@code [rows, vocab]} array where it lives.
 */
public final class Sampling {

    private Sampling() {}

    /** Returns the index of the largest logit, the first one on ties (as torch.argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Draws an index with probability softmax(logits). */
    public static int sample(float[] logits, Random random) {
        double[] probabilities = softmax(logits);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < probabilities.length; i++) {
            if (probabilities[i] > 0) {
                cumulative += probabilities[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    /** Returns softmax(logits) in double precision; negative infinity gets probability 0. */
    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] out = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            out[i] = Math.exp(logits[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** Returns each row's argmax {@code [rows]} (INT64) of {@code [rows, vocab]} logits. */
    public static NDArray argmax(NDArray logits) {
        return logits.argMax(1).toType(DataType.INT64, false);
    }

    /**
     * Draws one index per row {@code [rows]} (INT64) with probability softmax(row), on the logits'
     * device, by the Gumbel-max trick: argmax(logits + g) with g = −log(−log u), u uniform, has
     * exactly that distribution, and needs no cumulative sum over the vocabulary. The draws come
     * from the engine's generator ({@code Engine.setRandomSeed}); removed tokens (−inf) are never
     * drawn.
     */
    public static NDArray sample(NDArray logits) {
        // u in [tiny, 1): log(u) stays finite, and −log(−log u) is finite too.
        NDArray u =
                logits.getManager()
                        .randomUniform(
                                Float.MIN_NORMAL,
                                1f,
                                logits.getShape(),
                                DataType.FLOAT32,
                                logits.getDevice());
        NDArray gumbel = u.log().neg().log().neg();
        return argmax(logits.toType(DataType.FLOAT32, false).add(gumbel));
    }
}
