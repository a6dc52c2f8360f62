package io.kubetune.trainer.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays judged answers into padded rows and pairs each prompt with another example's answer for the
 * KL estimate: completions rotated by one inside the batch, (x1, yn), (x2, y1), ..., (xn, yn−1), as
 * TRL's KTOTrainer rotates them inside each block of per_device_train_batch_size examples (its
 * batches are those blocks, since it reads the data in order). Rows longer than cutoffLength are
 * cut, keeping their start.
 */
public final class FeedbackCollator {
    private final Collator collator;
    private final int cutoffLength;

    public FeedbackCollator(int padId, int cutoffLength) {
        this.collator = new Collator(padId);
        this.cutoffLength = cutoffLength;
    }

    public FeedbackBatch collate(List<TokenizedFeedback> examples) {
        int n = examples.size();
        List<Row> rows = new ArrayList<>(n);
        List<Row> klRows = new ArrayList<>(n);
        boolean[] desirable = new boolean[n];
        for (int i = 0; i < n; i++) {
            TokenizedFeedback e = examples.get(i);
            rows.add(row(e.prompt(), e.completion()));
            klRows.add(row(e.prompt(), examples.get((i + n - 1) % n).completion()));
            desirable[i] = e.desirable();
        }
        return new FeedbackBatch(collator.collate(rows), collator.collate(klRows), desirable);
    }

    /** Consecutive examples, batchSize at a time (the last batch may be smaller). */
    public List<FeedbackBatch> collateInBatches(List<TokenizedFeedback> examples, int batchSize) {
        List<FeedbackBatch> batches = new ArrayList<>();
        for (int start = 0; start < examples.size(); start += batchSize) {
            batches.add(
                    collate(examples.subList(start, Math.min(examples.size(), start + batchSize))));
        }
        return batches;
    }

    private Row row(int[] prompt, int[] completion) {
        int[] ids = Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, ids, prompt.length, completion.length);
        int length = Math.min(ids.length, cutoffLength);
        int[] kept = Arrays.copyOf(ids, length);
        return Row.of(new TokenizedSample(kept, TokenizedPair.answerLabels(kept, prompt.length)));
    }
}
