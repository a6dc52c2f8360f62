package io.kubetune.trainer.train;

import io.kubetune.api.v1alpha1.BatchingMode;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.Collator;
import io.kubetune.trainer.batch.LengthGroupedOrder;
import io.kubetune.trainer.batch.Packer;
import io.kubetune.trainer.batch.Row;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.train.stage.EpochPlan;
import java.util.List;

/**
 * Which micro-batches make up every optimizer step. Each epoch's order depends only on the seed and
 * the epoch, so a resumed run finds step k's batches without replaying the ones before.
 */
public final class TrainingPlan extends EpochPlan<Batch> {
    private final List<TokenizedSample> samples;
    private final Packer packer;
    private final Collator collator;
    private final BatchingMode mode;
    private final int batchSize;

    public TrainingPlan(
            List<TokenizedSample> samples,
            BatchingMode mode,
            int cutoffLength,
            int batchSize,
            int accumulation,
            int padId,
            long seed,
            Integer epochs,
            Integer maxSteps) {
        super(
                batchCount(
                        new Packer(mode, cutoffLength).rows(nonEmpty(samples)).size(), batchSize),
                accumulation,
                seed,
                epochs,
                maxSteps);
        this.samples = List.copyOf(samples);
        this.packer = new Packer(mode, cutoffLength);
        this.collator = new Collator(padId);
        this.mode = mode;
        this.batchSize = batchSize;
    }

    private static List<TokenizedSample> nonEmpty(List<TokenizedSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(
                    "no training samples are left after tokenization: check the datasets and cutoffLength");
        }
        return samples;
    }

    @Override
    protected List<Batch> batchesOfEpoch(long epochSeed) {
        return collator.collateInBatches(packer.rows(ordered(epochSeed)), batchSize);
    }

    private List<TokenizedSample> ordered(long epochSeed) {
        if (mode == BatchingMode.PADDING) {
            int[] lengths = samples.stream().mapToInt(TokenizedSample::length).toArray();
            return LengthGroupedOrder.indices(lengths, batchSize, epochSeed).stream()
                    .map(samples::get)
                    .toList();
        }
        return shuffled(samples, epochSeed);
    }

    /** Validation batches in a fixed order, padded one sample per row. */
    public static List<Batch> evaluationBatches(
            List<TokenizedSample> samples, int batchSize, int padId) {
        List<Row> rows = new Packer(BatchingMode.PADDING, Integer.MAX_VALUE).rows(samples);
        return new Collator(padId).collateInBatches(rows, batchSize);
    }
}
