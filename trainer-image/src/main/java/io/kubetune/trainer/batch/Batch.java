package io.kubetune.trainer.batch;

/**
 * Rows padded to one length, ready to become tensors.
 *
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param sequenceIds 0 for padding, else the sample each token belongs to within its row
 */
public record Batch(
        int[][] ids,
        int[][] labels,
        int[][] attentionMask,
        int[][] positionIds,
        int[][] sequenceIds) {
    public int rows() {
        return ids.length;
    }

    public int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /** Tokens that are not padding: what tokens/s counts. */
    public long realTokens() {
        long n = 0;
        for (int[] row : attentionMask) {
            for (int m : row) {
                n += m;
            }
        }
        return n;
    }
}
