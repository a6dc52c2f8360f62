package io.kubetune.trainer.train.stage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A {@link BatchPlan} that walks whole epochs: each epoch's batches depend only on the seed and the
 * epoch, and each optimizer step takes {@code accumulation} of them in turn. A stage says how an
 * epoch's items are ordered and batched; the step and epoch arithmetic lives here once.
 *
 * @param <B> the stage's batch type
 */
public abstract class EpochPlan<B> implements BatchPlan<B> {
    private final int accumulation;
    private final long seed;
    private final int stepsPerEpoch;
    private final long totalSteps;
    private int cachedEpoch = -1;
    private List<B> cachedBatches;

    /**
     * @param batchesPerEpoch how many micro-batches one epoch holds
     * @param epochs the epochs to train, used when {@code maxSteps} is null
     */
    protected EpochPlan(
            int batchesPerEpoch, int accumulation, long seed, Integer epochs, Integer maxSteps) {
        this.accumulation = accumulation;
        this.seed = seed;
        this.stepsPerEpoch = Math.max(1, batchesPerEpoch / accumulation);
        this.totalSteps = maxSteps != null ? maxSteps : (long) epochs * stepsPerEpoch;
    }

    /** The number of batches of {@code batchSize} that {@code items} fill, the last one partial. */
    protected static int batchCount(int items, int batchSize) {
        return (items + batchSize - 1) / batchSize;
    }

    /**
     * {@code items}, refused when tokenization left none of them: a plan with no batches would
     * never step.
     *
     * @param what the items' name in the message, e.g. "preference pairs"
     * @param cutoffField the length field the user should check
     */
    protected static <T> List<T> nonEmpty(List<T> items, String what, String cutoffField) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException(
                    "no "
                            + what
                            + " are left after tokenization: check the datasets and "
                            + cutoffField);
        }
        return items;
    }

    /** {@code items} in an order fixed by {@code epochSeed}. */
    protected static <T> List<T> shuffled(List<T> items, long epochSeed) {
        List<T> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new Random(epochSeed));
        return shuffled;
    }

    /**
     * Keeps epoch 0 when a subclass had to build it to count its batches: it is not built again.
     */
    protected final void keepFirstEpoch(List<B> batches) {
        cachedEpoch = 0;
        cachedBatches = batches;
    }

    /** All micro-batches of one epoch, in order; {@code epochSeed} is the seed plus the epoch. */
    protected abstract List<B> batchesOfEpoch(long epochSeed);

    @Override
    public long totalSteps() {
        return totalSteps;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /**
     * Whether an epoch's batch count depends on its order (batches sized by tokens): each step then
     * takes its share of the epoch's batches rather than {@code accumulation} of them.
     */
    protected boolean proportionalSteps() {
        return false;
    }

    @Override
    public List<B> microBatches(long step) {
        int epoch = (int) (step / stepsPerEpoch);
        int inEpoch = (int) (step % stepsPerEpoch);
        List<B> batches = batchesOf(epoch);
        if (proportionalSteps()) {
            long count = batches.size();
            int from = (int) Math.min(count - 1, count * inEpoch / stepsPerEpoch);
            int to = (int) (count * (inEpoch + 1) / stepsPerEpoch);
            return batches.subList(from, Math.max(from + 1, Math.min(batches.size(), to)));
        }
        int first = inEpoch * accumulation;
        return batches.subList(first, Math.min(batches.size(), first + accumulation));
    }

    @Override
    public double epochAt(long step) {
        return (double) step / stepsPerEpoch;
    }

    private List<B> batchesOf(int epoch) {
        if (epoch != cachedEpoch) {
            cachedBatches = batchesOfEpoch(seed + epoch);
            cachedEpoch = epoch;
        }
        return cachedBatches;
    }
}
