package io.kubetune.trainer.optim;

import io.kubetune.api.v1alpha1.Scheduler;

/**
 * transformers' schedules with linear warm-up (get_constant_schedule_with_warmup,
 * get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup): update k (0-based) uses {@code
 * peak * factor(k)}, so the first update of a warm-up has rate 0, as there.
 */
public record LearningRateSchedule(Scheduler kind, double peak, long warmupSteps, long totalSteps) {

    /** Warm-up from a ratio rounds up, as transformers' get_warmup_steps does. */
    public static long warmupSteps(Integer steps, String ratio, long totalSteps) {
        if (steps != null) {
            return steps;
        }
        return ratio == null ? 0 : (long) Math.ceil(totalSteps * Double.parseDouble(ratio));
    }

    public double rate(long step) {
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
