package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.StageData;
import io.kubetune.trainer.train.stage.TrainingStage;
import java.io.IOException;
import java.util.List;

/**
 * {@code dpo}: the policy learns to prefer chosen over rejected answers relative to a reference
 * (the base with its adapters off under LoRA, a frozen copy under full fine-tuning), or without one
 * for orpo and simpo.
 */
public final class DpoStage implements TrainingStage<PairBatch> {
    @Override
    public Stage stage() {
        return Stage.DPO;
    }

    @Override
    public void validate(FineTuneJobSpec spec) {
        PreferenceData.validate(spec);
        PreferenceSettings.of(spec.preference);
    }

    /** As TRL's DPOTrainer logs them: how often, and by how much, chosen beats rejected. */
    @Override
    public List<String> mainMetrics() {
        return List.of("rewards/accuracies", "rewards/margins");
    }

    @Override
    public StageData<PairBatch> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        return PreferenceData.prepare(spec, inputs, tokenizer, PairTokenizer.Overflow.TRUNCATE);
    }

    @Override
    public Objective<PairBatch> objective(StageContext context) {
        PreferenceSettings settings = PreferenceSettings.of(context.spec().preference);
        return new DpoObjective(
                settings, settings.needsReference() ? context.referenceModel() : null);
    }
}
