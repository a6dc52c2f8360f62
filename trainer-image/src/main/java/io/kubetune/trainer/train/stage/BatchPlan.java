package io.kubetune.trainer.train.stage;

import java.util.List;

/**
 * Which micro-batches make up every optimizer step. A step's batches depend only on the step number
 * (and the seed), so a resumed run finds step k's batches without replaying the ones before.
 *
 * @param <B> the stage's batch type
 */
public interface BatchPlan<B> {
    long totalSteps();

    /** The micro-batches of optimizer step {@code step} (0-based). */
    List<B> microBatches(long step);

    /**
     * Optimizer steps per step of the learning-rate schedule: 1, or PPO's updates per rollout batch
     * (TRL's PPOTrainer steps its scheduler once per rollout).
     */
    default int stepsPerScheduleStep() {
        return 1;
    }

    /** The fractional epoch reached after {@code step} steps. */
    double epochAt(long step);
}
