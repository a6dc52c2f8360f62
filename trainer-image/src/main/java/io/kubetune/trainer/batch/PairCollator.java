package io.kubetune.trainer.batch;

import java.util.ArrayList;
import java.util.List;

/** Lays pairs into padded rows, chosen rows first: a pair is never split across batches. */
public final class PairCollator {
    private final Collator collator;
    private final int padId;

    public PairCollator(int padId) {
        this.collator = new Collator(padId);
        this.padId = padId;
    }

    public PairBatch collate(List<TokenizedPair> pairs) {
        List<Row> rows = new ArrayList<>(2 * pairs.size());
        for (TokenizedPair p : pairs) {
            rows.add(row(p.chosen(), p.promptLength()));
        }
        for (TokenizedPair p : pairs) {
            rows.add(row(p.rejected(), p.promptLength()));
        }
        float[] margins = new float[pairs.size()];
        for (int i = 0; i < margins.length; i++) {
            margins[i] = (float) pairs.get(i).margin();
        }
        return new PairBatch(collator.collate(rows), margins, padId);
    }

    /** Consecutive pairs, pairsPerBatch at a time (the last batch may be smaller). */
    public List<PairBatch> collateInBatches(List<TokenizedPair> pairs, int pairsPerBatch) {
        List<PairBatch> batches = new ArrayList<>();
        for (int start = 0; start < pairs.size(); start += pairsPerBatch) {
            batches.add(
                    collate(pairs.subList(start, Math.min(pairs.size(), start + pairsPerBatch))));
        }
        return batches;
    }

    private static Row row(int[] ids, int promptLength) {
        return Row.of(new TokenizedSample(ids, TokenizedPair.answerLabels(ids, promptLength)));
    }
}
