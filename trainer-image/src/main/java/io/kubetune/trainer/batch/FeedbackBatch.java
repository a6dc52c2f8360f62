package io.kubetune.trainer.batch;

/**
 * A batch of judged answers as TRL's KTOTrainer lays it out, right-padded: each example's row
 * (prompt and its own answer) and its KL row (the same prompt with the answer of the example before
 * it in the batch, the first taking the last's). A row's labels hold its answer's ids and {@link
 * TokenizedSample#IGNORE} elsewhere, so they double as the completion mask.
 *
 * @param rows one row per example
 * @param klRows the mismatched rows the KL estimate is read from, in the same order
 * @param desirable each example's label
 */
public record FeedbackBatch(Batch rows, Batch klRows, boolean[] desirable) {
    public int examples() {
        return desirable.length;
    }

    public int desirableCount() {
        int n = 0;
        for (boolean d : desirable) {
            n += d ? 1 : 0;
        }
        return n;
    }
}
