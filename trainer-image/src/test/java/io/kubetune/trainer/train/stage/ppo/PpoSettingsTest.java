package io.kubetune.trainer.train.stage.ppo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubetune.api.v1alpha1.PpoSpec;
import org.junit.jupiter.api.Test;

/** spec.ppo's defaults are TRL's PPOConfig defaults (trl 1.12.0), and its values are read. */
class PpoSettingsTest {
    @Test
    void absentOrEmptySettingsAreTrlsDefaults() throws Exception {
        assertEquals(PpoSettings.TRL_DEFAULTS, PpoSettings.of(null));
        assertEquals(PpoSettings.TRL_DEFAULTS, PpoSettings.of(new PpoSpec()));
        // The fixture records PPOConfig's values as TRL itself sets them.
        var recorded = PpoParityTest.load("k1").getAsJsonObject("settings");
        PpoSettings d = PpoSettings.TRL_DEFAULTS;
        assertEquals(recorded.get("gamma").getAsDouble(), d.gamma());
        assertEquals(recorded.get("lam").getAsDouble(), d.lam());
        assertEquals(recorded.get("cliprange").getAsDouble(), d.clipRange());
        assertEquals(recorded.get("cliprange_value").getAsDouble(), d.clipRangeValue());
        assertEquals(recorded.get("vf_coef").getAsDouble(), d.vfCoef());
        assertEquals(recorded.get("temperature").getAsDouble(), d.temperature());
    }

    @Test
    void readsEverySetting() {
        PpoSpec spec = new PpoSpec();
        spec.klCoef = "0.1";
        spec.klEstimator = io.kubetune.api.v1alpha1.KlEstimator.K3;
        spec.gamma = "0.99";
        spec.lam = "0.9";
        spec.clipRange = "0.3";
        spec.clipRangeValue = "0.4";
        spec.vfCoef = "0.5";
        spec.whitenRewards = true;
        spec.ppoEpochs = 2;
        spec.miniBatches = 4;
        spec.responseLength = 16;
        spec.temperature = "1";
        spec.missingEosPenalty = "1.5";
        assertEquals(
                new PpoSettings(
                        0.1, KlEstimator.K3, 0.99, 0.9, 0.3, 0.4, 0.5, true, 2, 4, 1.0, 16, 1.5),
                PpoSettings.of(spec));
    }
}
