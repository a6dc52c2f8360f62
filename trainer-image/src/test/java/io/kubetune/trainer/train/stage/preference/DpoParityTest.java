package io.kubetune.trainer.train.stage.preference;

import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.PreferenceLoss;
import io.kubetune.api.v1alpha1.PreferenceSpec;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.train.stage.ReferenceModel;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Five DPO steps match TRL 1.16's DPOTrainer (sigmoid, ipo, hinge, robust) and LLaMA-Factory's ORPO
 * and SimPO, loss and TRL's metrics, under LoRA (reference: the base with the adapters off) and
 * full fine-tuning (reference: a frozen copy).
 */
class DpoParityTest {
    private static final Set<String> METRICS =
            Set.of(
                    "rewards/chosen",
                    "rewards/rejected",
                    "rewards/accuracies",
                    "rewards/margins",
                    "logps/chosen",
                    "logps/rejected");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "lora, sigmoid", "lora, ipo", "lora, hinge", "lora, robust", "lora, orpo", "lora, simpo",
        "full, sigmoid", "full, ipo", "full, hinge", "full, robust", "full, orpo", "full, simpo"
    })
    void fiveStepsFollowTheReference(String method, String loss) throws Exception {
        String run = "dpo-" + method + "-" + loss;
        PreferenceSpec spec = new PreferenceSpec();
        spec.loss = PreferenceLoss.valueOf(loss.toUpperCase(Locale.ROOT));
        if (spec.loss == PreferenceLoss.ROBUST) {
            spec.labelSmoothing = "0.1";
        }
        PreferenceSettings settings = PreferenceSettings.of(spec);
        PairBatch batch = PreferenceFixtures.wholeDataset(PairTokenizer.Overflow.TRUNCATE);
        try (PretrainedModel model = PreferenceFixtures.loadBase()) {
            Adapters[] adapters = new Adapters[1];
            Map<String, Parameter> trainable =
                    PreferenceFixtures.trainable(
                            model,
                            run,
                            a -> {
                                adapters[0] = a;
                                return null;
                            });
            try (ReferenceModel reference =
                    !settings.needsReference()
                            ? null
                            : adapters[0] != null
                                    ? ReferenceModel.adaptersDisabled(model, adapters[0])
                                    : ReferenceModel.frozenCopy(PreferenceFixtures.loadBase())) {
                PreferenceFixtures.assertFollows(
                        run,
                        model,
                        new DpoObjective(settings, reference),
                        trainable,
                        batch,
                        METRICS);
            }
        }
    }
}
