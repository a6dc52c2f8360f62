package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.PreferenceSpec;

/**
 * spec.preference as stage kto reads it, TRL 1.16's KTOConfig defaults filled in.
 *
 * @param beta the reward scale (TRL's beta, 0.1)
 * @param desirableWeight weight of the desirable answers' losses (1.0)
 * @param undesirableWeight weight of the undesirable answers' losses (1.0)
 */
public record KtoSettings(float beta, float desirableWeight, float undesirableWeight) {
    public static KtoSettings of(PreferenceSpec spec) {
        PreferenceSpec s = spec == null ? new PreferenceSpec() : spec;
        return new KtoSettings(
                decimal(s.beta, 0.1f),
                decimal(s.desirableWeight, 1f),
                decimal(s.undesirableWeight, 1f));
    }

    private static float decimal(String value, float fallback) {
        return value == null || value.isBlank() ? fallback : Float.parseFloat(value);
    }
}
