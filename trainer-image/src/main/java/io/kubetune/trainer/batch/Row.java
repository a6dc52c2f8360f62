package io.kubetune.trainer.batch;

/**
 * One row of a batch before padding.
 *
 * @param positionIds position of each token within its own sample
 * @param sequenceIds which sample of the row each token belongs to (1, 2, ...); tokens attend only
 *     within their sample when the row is packed without cross-attention
 */
public record Row(int[] ids, int[] labels, int[] positionIds, int[] sequenceIds) {
    public int length() {
        return ids.length;
    }

    /** A row holding one sample. */
    static Row of(TokenizedSample sample) {
        int n = sample.length();
        int[] positions = new int[n];
        int[] sequences = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            sequences[i] = 1;
        }
        return new Row(sample.ids(), sample.labels(), positions, sequences);
    }
}
