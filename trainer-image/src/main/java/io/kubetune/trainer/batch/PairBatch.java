package io.kubetune.trainer.batch;

/**
 * A batch of preference pairs as TRL lays it out: the chosen rows first, then the rejected rows in
 * the same order, right-padded. A row's labels hold its answer's ids and {@link
 * TokenizedSample#IGNORE} on the prompt and the padding, so they double as the completion mask.
 *
 * @param rows 2 × pairs rows
 * @param margins one per pair, 0 when the data has none
 */
public record PairBatch(Batch rows, float[] margins) {
    public int pairs() {
        return margins.length;
    }
}
