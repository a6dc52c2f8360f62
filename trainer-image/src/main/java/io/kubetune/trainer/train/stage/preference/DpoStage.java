package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import java.util.List;

/**
 * {@code dpo}: the policy learns to prefer chosen over rejected answers relative to a reference
 * (the base with its adapters off under LoRA, a frozen copy under full fine-tuning), or without one
 * for orpo and simpo. Pairs longer than the cutoff are cut, as TRL's DPOTrainer does.
 */
public final class DpoStage extends PreferenceStage {
    public DpoStage() {
        super(Stage.DPO, PairTokenizer.Overflow.TRUNCATE);
    }

    /** As TRL's DPOTrainer logs them: how often, and by how much, chosen beats rejected. */
    @Override
    public List<String> mainMetrics() {
        return List.of("rewards/accuracies", "rewards/margins");
    }

    @Override
    public Objective<PairBatch> objective(StageContext context) {
        PreferenceSettings settings = PreferenceSettings.of(context.spec().preference);
        return new DpoObjective(
                settings, settings.needsReference() ? context.referenceModel() : null);
    }
}
