package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.batch.FeedbackBatch;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.StageData;
import io.kubetune.trainer.train.stage.TrainingStage;
import java.io.IOException;
import java.util.List;

/**
 * {@code kto}: the policy learns from answers judged desirable or not, each compared with the
 * reference (the base with its adapters off under LoRA, a frozen copy under full fine-tuning) and
 * with a KL estimate read from the batch's mismatched prompts and answers, as TRL 1.16's KTOTrainer
 * does. Format kto data, or preference pairs split into their two answers.
 */
public final class KtoStage implements TrainingStage<FeedbackBatch> {
    @Override
    public Stage stage() {
        return Stage.KTO;
    }

    @Override
    public void validate(FineTuneJobSpec spec) {
        FeedbackData.validate(spec);
        KtoSettings.of(spec.preference);
    }

    /** How far desirable answers rise above the reference and undesirable ones fall below it. */
    @Override
    public List<String> mainMetrics() {
        return List.of("rewards/margins", "kl");
    }

    @Override
    public StageData<FeedbackBatch> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        return FeedbackData.prepare(spec, inputs, tokenizer);
    }

    @Override
    public Objective<FeedbackBatch> objective(StageContext context) {
        return new KtoObjective(
                KtoSettings.of(context.spec().preference), context.referenceModel());
    }
}
