package io.kubetune.trainer.optim;

import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.api.v1alpha1.TrainingSpec;

/**
 * transformers' schedules with linear warm-up (get_constant_schedule_with_warmup,
 * get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup): scheduler step k (0-based)
 * uses {@code peak * factor(k)}, so the first update of a warm-up has rate 0, as there.
 *
 * @param warmupSteps in scheduler steps
 * @param totalSteps in scheduler steps
 * @param updatesPerStep optimizer updates per scheduler step: 1 as transformers' Trainer steps it;
 *     PPO's updates per rollout batch, as TRL's PPOTrainer steps it once per rollout
 */
public record LearningRateSchedule(
        Scheduler kind, double peak, long warmupSteps, long totalSteps, long updatesPerStep) {

    /** Stepped once per optimizer update, as transformers' Trainer does. */
    public LearningRateSchedule(Scheduler kind, double peak, long warmupSteps, long totalSteps) {
        this(kind, peak, warmupSteps, totalSteps, 1);
    }

    /**
     * A job's schedule ({@code training}) over {@code updates} optimizer updates, stepped every
     * {@code perStep} of them; warm-up and length count scheduler steps (for ppo, rollout batches,
     * as TRL's PPOTrainer passes num_total_batches as num_training_steps).
     */
    public static LearningRateSchedule of(TrainingSpec training, long updates, int perStep) {
        long steps = (updates + perStep - 1) / perStep;
        return new LearningRateSchedule(
                training.scheduler,
                Double.parseDouble(training.learningRate),
                warmupSteps(training.warmupSteps, training.warmupRatio, steps),
                steps,
                perStep);
    }

    /** Warm-up from a ratio rounds up, as transformers' get_warmup_steps does. */
    public static long warmupSteps(Integer steps, String ratio, long totalSteps) {
        if (steps != null) {
            return steps;
        }
        return ratio == null ? 0 : (long) Math.ceil(totalSteps * Double.parseDouble(ratio));
    }

    /** The rate of optimizer update {@code update} (0-based). */
    public double rate(long update) {
        long step = update / Math.max(1, updatesPerStep);
        if (step < warmupSteps) {
            return peak * step / Math.max(1.0, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT -> peak;
            case LINEAR ->
                    peak
                            * Math.max(
                                    0.0,
                                    (double) (totalSteps - step)
                                            / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> peak * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
