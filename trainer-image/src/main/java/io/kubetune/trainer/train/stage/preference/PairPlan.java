package io.kubetune.trainer.train.stage.preference;

import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairCollator;
import io.kubetune.trainer.batch.TokenizedPair;
import io.kubetune.trainer.train.stage.BatchPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The pair batches of every step: each epoch the pairs are shuffled by seed and epoch (so a resumed
 * run finds step k's batches again), cut into batches of batchSize pairs, accumulation at a time.
 */
final class PairPlan implements BatchPlan<PairBatch> {
    private final List<TokenizedPair> pairs;
    private final PairCollator collator;
    private final int batchSize;
    private final int accumulation;
    private final long seed;
    private final int stepsPerEpoch;
    private final long totalSteps;
    private int cachedEpoch = -1;
    private List<PairBatch> cached;

    PairPlan(
            List<TokenizedPair> pairs,
            int padId,
            int batchSize,
            int accumulation,
            long seed,
            Integer epochs,
            Integer maxSteps) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(
                    "no preference pairs are left after tokenization: check the datasets and"
                            + " training.cutoffLength");
        }
        this.pairs = List.copyOf(pairs);
        this.collator = new PairCollator(padId);
        this.batchSize = batchSize;
        this.accumulation = accumulation;
        this.seed = seed;
        int batches = (pairs.size() + batchSize - 1) / batchSize;
        this.stepsPerEpoch = Math.max(1, batches / accumulation);
        this.totalSteps = maxSteps != null ? maxSteps : (long) epochs * stepsPerEpoch;
    }

    @Override
    public long totalSteps() {
        return totalSteps;
    }

    @Override
    public List<PairBatch> microBatches(long step) {
        int epoch = (int) (step / stepsPerEpoch);
        int first = (int) (step % stepsPerEpoch) * accumulation;
        List<PairBatch> batches = batchesOf(epoch);
        return batches.subList(first, Math.min(batches.size(), first + accumulation));
    }

    @Override
    public double epochAt(long step) {
        return (double) step / stepsPerEpoch;
    }

    private List<PairBatch> batchesOf(int epoch) {
        if (epoch != cachedEpoch) {
            List<TokenizedPair> shuffled = new ArrayList<>(pairs);
            Collections.shuffle(shuffled, new Random(seed + epoch));
            cached = collator.collateInBatches(shuffled, batchSize);
            cachedEpoch = epoch;
        }
        return cached;
    }
}
