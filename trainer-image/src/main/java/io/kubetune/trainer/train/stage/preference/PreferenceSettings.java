package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.PreferenceLoss;
import io.kubetune.api.v1alpha1.PreferenceSpec;

/**
 * spec.preference parsed once, the defaults of TRL and LLaMA-Factory filled in.
 *
 * @param centerRewards the reward model's centring coefficient; 0 for none
 */
public record PreferenceSettings(
        PreferenceLoss loss,
        float beta,
        float labelSmoothing,
        float simpoGamma,
        float ftx,
        float centerRewards) {
    static final float DEFAULT_SIMPO_GAMMA = 0.5f;

    public static PreferenceSettings of(PreferenceSpec spec) {
        PreferenceSpec s = spec == null ? new PreferenceSpec() : spec;
        return new PreferenceSettings(
                s.loss == null ? PreferenceLoss.SIGMOID : s.loss,
                decimal(s.beta, 0.1f),
                decimal(s.labelSmoothing, 0f),
                decimal(s.simpoGamma, DEFAULT_SIMPO_GAMMA),
                decimal(s.ftx, 0f),
                decimal(s.centerRewards, 0f));
    }

    /** orpo and simpo compare the policy's own averaged log-probs; no reference model. */
    public boolean needsReference() {
        return loss != PreferenceLoss.ORPO && loss != PreferenceLoss.SIMPO;
    }

    /** Log-probs averaged over the answer's tokens (LLaMA-Factory's orpo, simpo). */
    boolean averagesLogps() {
        return !needsReference();
    }

    private static float decimal(String value, float fallback) {
        return value == null || value.isBlank() ? fallback : Float.parseFloat(value);
    }
}
