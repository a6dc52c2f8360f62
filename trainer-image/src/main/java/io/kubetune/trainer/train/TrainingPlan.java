package io.kubetune.trainer.train;

import io.kubetune.api.v1alpha1.BatchingMode;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.Collator;
import io.kubetune.trainer.batch.LengthGroupedOrder;
import io.kubetune.trainer.batch.Packer;
import io.kubetune.trainer.batch.Row;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.train.stage.BatchPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which micro-batches make up every optimizer step. Each epoch's order depends only on the seed and
 * the epoch, so a resumed run finds step k's batches without replaying the ones before.
 */
public final class TrainingPlan implements BatchPlan<Batch> {
    private final List<TokenizedSample> samples;
    private final Packer packer;
    private final Collator collator;
    private final BatchingMode mode;
    private final int batchSize;
    private final Integer maxTokensPerBatch;
    private final int accumulation;
    private final long seed;
    private final int stepsPerEpoch;
    private final long totalSteps;
    private int cachedEpoch = -1;
    private List<Batch> cachedBatches;

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
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(
                    "no training samples are left after tokenization: check the datasets and cutoffLength");
        }
        this.samples = List.copyOf(samples);
        this.packer = new Packer(mode, cutoffLength);
        this.collator = new Collator(padId);
        this.mode = mode;
        this.batchSize = batchSize;
        this.maxTokensPerBatch = mode == BatchingMode.PADDING ? maxTokensPerBatch : null;
        this.accumulation = accumulation;
        this.seed = seed;
        int batches =
                this.maxTokensPerBatch == null
                        ? (packer.rows(this.samples).size() + batchSize - 1) / batchSize
                        : batchesOfEpoch(0).size();
        this.stepsPerEpoch = Math.max(1, batches / accumulation);
        this.totalSteps = maxSteps != null ? maxSteps : (long) epochs * stepsPerEpoch;
    }

    @Override
    public long totalSteps() {
        return totalSteps;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    @Override
    public List<Batch> microBatches(long step) {
        int epoch = (int) (step / stepsPerEpoch);
        int inEpoch = (int) (step % stepsPerEpoch);
        List<Batch> batches = batchesOfEpoch(epoch);
        if (maxTokensPerBatch != null) {
            // Token-sized batches number differently per epoch: each step takes its share.
            long count = batches.size();
            int from = (int) (count * inEpoch / stepsPerEpoch);
            int to = (int) (count * (inEpoch + 1) / stepsPerEpoch);
            return batches.subList(from, Math.max(from + 1, to));
        }
        int first = inEpoch * accumulation;
        return batches.subList(first, Math.min(batches.size(), first + accumulation));
    }

    @Override
    public double epochAt(long step) {
        return (double) step / stepsPerEpoch;
    }

    private List<Batch> batchesOfEpoch(int epoch) {
        if (epoch != cachedEpoch) {
            List<Row> rows = packer.rows(ordered(epoch));
            cachedBatches =
                    maxTokensPerBatch == null
                            ? collator.collateInBatches(rows, batchSize)
                            : collator.collateByTokens(rows, maxTokensPerBatch);
            cachedEpoch = epoch;
        }
        return cachedBatches;
    }

    private List<TokenizedSample> ordered(int epoch) {
        long epochSeed = seed + epoch;
        if (mode == BatchingMode.PADDING) {
            int[] lengths = samples.stream().mapToInt(TokenizedSample::length).toArray();
            return LengthGroupedOrder.indices(lengths, batchSize, epochSeed).stream()
                    .map(samples::get)
                    .toList();
        }
        List<TokenizedSample> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(epochSeed));
        return shuffled;
    }

    /** Validation batches in a fixed order, padded one sample per row. */
    public static List<Batch> evaluationBatches(
            List<TokenizedSample> samples, int batchSize, int padId) {
        List<Row> rows = new Packer(BatchingMode.PADDING, Integer.MAX_VALUE).rows(samples);
        return new Collator(padId).collateInBatches(rows, batchSize);
    }
}
