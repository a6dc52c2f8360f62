package io.kubetune.trainer.batch;

/**
 * A batch of preference pairs as TRL lays it out: the chosen rows first, then the rejected rows in
 * the same order, right-padded. A row's labels hold its answer's ids and {@link
 * TokenizedSample#IGNORE} on the prompt and the padding, so they double as the completion mask.
 *
 * @param rows 2 × pairs rows
 * @param margins one per pair, 0 when the data has none
 * @param padId the id the rows are padded with
 */
public record PairBatch(Batch rows, float[] margins, int padId) {
    public int pairs() {
        return margins.length;
    }

    /**
     * Where each row's reward is read: its rightmost token that is not padding, as transformers'
     * *ForSequenceClassification reads it (so with pad = EOS, the token before a trailing EOS).
     */
    public long[] lastRealTokens() {
        int[][] ids = rows.ids();
        long[] positions = new long[ids.length];
        for (int r = 0; r < ids.length; r++) {
            int i = ids[r].length - 1;
            while (i > 0 && ids[r][i] == padId) {
                i--;
            }
            positions[r] = i;
        }
        return positions;
    }
}
