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
    private final Batching batching;

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
        this(
                samples,
                mode,
                cutoffLength,
                batchSize,
                null,
                accumulation,
                padId,
                seed,
                epochs,
                maxSteps);
    }

    /**
     * @param maxTokensPerBatch with padding batching, micro-batches of at most this many tokens
     *     (rows × longest row) instead of {@code batchSize} rows; null for rows
     */
    public TrainingPlan(
            List<TokenizedSample> samples,
            BatchingMode mode,
            int cutoffLength,
            int batchSize,
            Integer maxTokensPerBatch,
            int accumulation,
            int padId,
            long seed,
            Integer epochs,
            Integer maxSteps) {
        this(
                new Batching(
                        List.copyOf(nonEmpty(samples, "training samples", "cutoffLength")),
                        mode,
                        new Packer(mode, cutoffLength),
                        new Collator(padId),
                        batchSize,
                        mode == BatchingMode.PADDING ? maxTokensPerBatch : null),
                seed,
                accumulation,
                epochs,
                maxSteps);
    }

    private TrainingPlan(
            Batching batching, long seed, int accumulation, Integer epochs, Integer maxSteps) {
        this(batching, batching.firstEpochIfCounted(seed), seed, accumulation, epochs, maxSteps);
    }

    private TrainingPlan(
            Batching batching,
            List<Batch> firstEpoch,
            long seed,
            int accumulation,
            Integer epochs,
            Integer maxSteps) {
        super(
                firstEpoch != null ? firstEpoch.size() : batching.rowBatchesPerEpoch(),
                accumulation,
                seed,
                epochs,
                maxSteps);
        this.batching = batching;
        if (firstEpoch != null) {
            keepFirstEpoch(firstEpoch);
        }
    }

    @Override
    protected List<Batch> batchesOfEpoch(long epochSeed) {
        return batching.epoch(epochSeed);
    }

    /** Token-sized batches number differently per epoch: each step then takes its share. */
    @Override
    protected boolean proportionalSteps() {
        return batching.maxTokensPerBatch != null;
    }

    /** How one epoch's samples are ordered, packed and collated. */
    private record Batching(
            List<TokenizedSample> samples,
            BatchingMode mode,
            Packer packer,
            Collator collator,
            int batchSize,
            Integer maxTokensPerBatch) {
        /** Batches of {@code batchSize} rows: as many in every epoch. */
        int rowBatchesPerEpoch() {
            return batchCount(packer.rows(samples).size(), batchSize);
        }

        /** Token-sized batches number differently per order: epoch 0 is built to count them. */
        List<Batch> firstEpochIfCounted(long seed) {
            return maxTokensPerBatch == null ? null : epoch(seed);
        }

        List<Batch> epoch(long epochSeed) {
            List<Row> rows = packer.rows(ordered(epochSeed));
            return maxTokensPerBatch == null
                    ? collator.collateInBatches(rows, batchSize)
                    : collator.collateByTokens(rows, maxTokensPerBatch);
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
    }

    /** Validation batches in a fixed order, padded one sample per row. */
    public static List<Batch> evaluationBatches(
            List<TokenizedSample> samples, int batchSize, int padId) {
        List<Row> rows = new Packer(BatchingMode.PADDING, Integer.MAX_VALUE).rows(samples);
        return new Collator(padId).collateInBatches(rows, batchSize);
    }
}
