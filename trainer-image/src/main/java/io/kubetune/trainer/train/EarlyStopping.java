package io.kubetune.trainer.train;

/**
 * Stops training once the held-out loss has not improved for {@code patience} evaluations, as
 * transformers' EarlyStoppingCallback; remembers the best loss so the best adapter can be kept.
 */
final class EarlyStopping {
    private final Integer patience;
    private double best;
    private int withoutImprovement;

    /**
     * @param patience evaluations without improvement before stopping; null: never stop early
     * @param resumed where a resumed run left off
     */
    EarlyStopping(Integer patience, CheckpointStore.TrainerState resumed) {
        this.patience = patience;
        this.best = resumed.bestEvalLoss();
        this.withoutImprovement = resumed.evalsWithoutImprovement();
    }

    /** Records an evaluation; returns whether its loss is the best so far. */
    boolean record(double evalLoss) {
        boolean better = evalLoss < best;
        best = better ? evalLoss : best;
        withoutImprovement = better ? 0 : withoutImprovement + 1;
        return better;
    }

    boolean shouldStop() {
        return patience != null && withoutImprovement >= patience;
    }

    /** The position to store in a checkpoint after {@code step}. */
    CheckpointStore.TrainerState state(long step, double lastLoss) {
        return new CheckpointStore.TrainerState(step, best, withoutImprovement, lastLoss);
    }
}
