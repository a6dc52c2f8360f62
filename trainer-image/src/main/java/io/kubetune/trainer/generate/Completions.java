package io.kubetune.trainer.generate;

/**
 * What {@link BatchGenerator} sampled: per row, the new tokens (up to and including the first EOS,
 * no padding) and each token's log-probability under the sampling distribution before top-k and
 * top-p, {@code log_softmax(logits / temperature)}, as TRL computes old log-probs.
 *
 * @param tokens the new tokens of each row
 * @param logProbs each new token's log-probability, same shape as {@code tokens}
 * @param endedOnEos whether each row stopped on an EOS id (else it reached the token limit)
 */
public record Completions(long[][] tokens, float[][] logProbs, boolean[] endedOnEos) {

    /** Returns how many rows were sampled. */
    public int rows() {
        return tokens.length;
    }

    /** Returns the longest row's length, the width of a right-padded completion batch. */
    public int maxLength() {
        int max = 0;
        for (long[] row : tokens) {
            max = Math.max(max, row.length);
        }
        return max;
    }
}
