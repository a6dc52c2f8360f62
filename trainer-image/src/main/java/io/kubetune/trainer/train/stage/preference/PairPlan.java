package io.kubetune.trainer.train.stage.preference;

import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairCollator;
import io.kubetune.trainer.batch.TokenizedPair;
import io.kubetune.trainer.train.stage.EpochPlan;
import java.util.List;

/** The pair batches of every step: each epoch the pairs are shuffled, then cut into batches. */
final class PairPlan extends EpochPlan<PairBatch> {
    private final List<TokenizedPair> pairs;
    private final PairCollator collator;
    private final int batchSize;

    PairPlan(
            List<TokenizedPair> pairs,
            int padId,
            int batchSize,
            int accumulation,
            long seed,
            Integer epochs,
            Integer maxSteps) {
        super(
                batchCount(
                        nonEmpty(pairs, "preference pairs", "training.cutoffLength").size(),
                        batchSize),
                accumulation,
                seed,
                epochs,
                maxSteps);
        this.pairs = List.copyOf(pairs);
        this.collator = new PairCollator(padId);
        this.batchSize = batchSize;
    }

    @Override
    protected List<PairBatch> batchesOfEpoch(long epochSeed) {
        return collator.collateInBatches(shuffled(pairs, epochSeed), batchSize);
    }
}
