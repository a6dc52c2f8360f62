package io.kubetune.trainer.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Pads rows on the right to the longest row of the batch. */
public final class Collator {
    private final int padId;

    public Collator(int padId) {
        this.padId = padId;
    }

    public Batch collate(List<Row> rows) {
        int length = rows.stream().mapToInt(Row::length).max().orElse(0);
        int n = rows.size();
        int[][] ids = new int[n][];
        int[][] labels = new int[n][];
        int[][] mask = new int[n][length];
        int[][] positions = new int[n][];
        int[][] sequences = new int[n][];
        for (int r = 0; r < n; r++) {
            Row row = rows.get(r);
            ids[r] = padded(row.ids(), length, padId);
            labels[r] = padded(row.labels(), length, TokenizedSample.IGNORE);
            positions[r] = padded(row.positionIds(), length, 0);
            sequences[r] = padded(row.sequenceIds(), length, 0);
            Arrays.fill(mask[r], 0, row.length(), 1);
        }
        return new Batch(ids, labels, mask, positions, sequences);
    }

    /** Collates consecutive rows, batchSize at a time (the last batch may be smaller). */
    public List<Batch> collateInBatches(List<Row> rows, int batchSize) {
        List<Batch> batches = new ArrayList<>();
        for (int start = 0; start < rows.size(); start += batchSize) {
            batches.add(collate(rows.subList(start, Math.min(rows.size(), start + batchSize))));
        }
        return batches;
    }

    /**
     * Collates consecutive rows into batches of at most {@code maxTokens} tokens counted as rows ×
     * longest row (padding included); a row longer than that goes alone.
     */
    public List<Batch> collateByTokens(List<Row> rows, int maxTokens) {
        List<Batch> batches = new ArrayList<>();
        int start = 0;
        while (start < rows.size()) {
            int end = start + 1;
            int longest = rows.get(start).length();
            while (end < rows.size()
                    && (long) (end - start + 1) * Math.max(longest, rows.get(end).length())
                            <= maxTokens) {
                longest = Math.max(longest, rows.get(end).length());
                end++;
            }
            batches.add(collate(rows.subList(start, end)));
            start = end;
        }
        return batches;
    }

    private static int[] padded(int[] values, int length, int pad) {
        int[] out = Arrays.copyOf(values, length);
        Arrays.fill(out, values.length, length, pad);
        return out;
    }
}
