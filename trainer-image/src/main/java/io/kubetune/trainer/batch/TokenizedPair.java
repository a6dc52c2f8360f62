package io.kubetune.trainer.batch;

/**
 * A preference pair as two token rows that share their first {@code promptLength} tokens.
 *
 * @param chosen prompt and preferred answer
 * @param rejected prompt and dispreferred answer
 * @param promptLength tokens of the shared prompt; they never count in a loss
 * @param margin the record's margin (0 when it has none)
 */
public record TokenizedPair(int[] chosen, int[] rejected, int promptLength, double margin) {
    public int tokens() {
        return chosen.length + rejected.length;
    }

    /** The row with ids where the answer's tokens are, {@link TokenizedSample#IGNORE} before. */
    static int[] answerLabels(int[] ids, int promptLength) {
        int[] labels = ids.clone();
        java.util.Arrays.fill(
                labels, 0, Math.min(promptLength, ids.length), TokenizedSample.IGNORE);
        return labels;
    }
}
