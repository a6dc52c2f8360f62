package io.kubetune.trainer.train;

import java.util.List;
import java.util.Optional;

/**
 * Evaluates on the held-out batches every {@code evalSteps} steps and at the last step, when the
 * job has validation data and asks for evaluation.
 */
final class PeriodicEvaluation<B> {
    private final TrainingLoop<B> loop;
    private final List<B> batches;
    private final Integer every;
    private final long totalSteps;
    private final TrainingListener listeners;

    PeriodicEvaluation(
            TrainingLoop<B> loop,
            List<B> batches,
            Integer every,
            long totalSteps,
            TrainingListener listeners) {
        this.loop = loop;
        this.batches = batches;
        this.every = every;
        this.totalSteps = totalSteps;
        this.listeners = listeners;
    }

    boolean enabled() {
        return !batches.isEmpty() && every != null;
    }

    /** The evaluation after {@code step}, when one is due. */
    Optional<Evaluation> after(long step) {
        if (!enabled() || (step % every != 0 && step != totalSteps)) {
            return Optional.empty();
        }
        return Optional.of(run(step));
    }

    /** Evaluates now and tells the listeners. */
    Evaluation run(long step) {
        Evaluation evaluation = loop.evaluate(batches);
        listeners.onEvaluation(step, evaluation);
        return evaluation;
    }
}
