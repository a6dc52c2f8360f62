package io.kubetune.trainer.train.stage.ppo;

import io.kubetune.api.v1alpha1.PpoSpec;

/**
 * The PPO hyper-parameters, with TRL's PPOConfig defaults (trl 1.12.0, experimental/ppo).
 *
 * @param klCoef weight of the per-token KL penalty in the reward (kl_coef)
 * @param klEstimator how the per-token KL is estimated (kl_estimator)
 * @param gamma discount (gamma)
 * @param lam GAE's λ (lam)
 * @param clipRange how far the policy ratio may move from 1 before its gain is clipped (cliprange)
 * @param clipRangeValue how far a value may move from its rollout value before clipping
 *     (cliprange_value)
 * @param vfCoef weight of the value loss in the total loss (vf_coef)
 * @param whitenRewards whether the per-token rewards are whitened, mean kept (whiten_rewards)
 * @param ppoEpochs passes over each rollout batch (num_ppo_epochs)
 * @param miniBatches optimizer steps per pass (num_mini_batches)
 * @param temperature sampling temperature; logits are divided by it + 1e-7 (temperature)
 * @param responseLength most tokens sampled per response (response_length)
 * @param missingEosPenalty subtracted from the score of a response that never stops, or null
 *     (missing_eos_penalty)
 */
public record PpoSettings(
        double klCoef,
        KlEstimator klEstimator,
        double gamma,
        double lam,
        double clipRange,
        double clipRangeValue,
        double vfCoef,
        boolean whitenRewards,
        int ppoEpochs,
        int miniBatches,
        double temperature,
        int responseLength,
        Double missingEosPenalty) {

    /** TRL's PPOConfig defaults. */
    public static final PpoSettings TRL_DEFAULTS =
            new PpoSettings(
                    0.05, KlEstimator.K1, 1.0, 0.95, 0.2, 0.2, 0.1, false, 4, 1, 0.7, 53, null);

    /**
     * The settings of {@code spec.ppo}; TRL's defaults where it is absent. The CRD has checked
     * every decimal's form.
     */
    public static PpoSettings of(PpoSpec spec) {
        PpoSpec s = spec == null ? new PpoSpec() : spec;
        return new PpoSettings(
                Double.parseDouble(s.klCoef),
                KlEstimator.valueOf(s.klEstimator.name()),
                Double.parseDouble(s.gamma),
                Double.parseDouble(s.lam),
                Double.parseDouble(s.clipRange),
                Double.parseDouble(s.clipRangeValue),
                Double.parseDouble(s.vfCoef),
                Boolean.TRUE.equals(s.whitenRewards),
                s.ppoEpochs,
                s.miniBatches,
                Double.parseDouble(s.temperature),
                s.responseLength,
                s.missingEosPenalty == null ? null : Double.parseDouble(s.missingEosPenalty));
    }

    /** What TRL adds to the temperature before dividing the logits by it. */
    public static final double TEMPERATURE_EPSILON = 1e-7;
}
