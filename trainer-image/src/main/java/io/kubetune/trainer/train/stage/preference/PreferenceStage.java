package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.StageData;
import io.kubetune.trainer.train.stage.TrainingStage;
import java.io.IOException;

/**
 * What the stages trained on preference pairs share: the spec checks and the tokenized, batched
 * pairs. A stage adds its objective and says what becomes of a pair longer than the cutoff.
 */
abstract class PreferenceStage implements TrainingStage<PairBatch> {
    private final Stage stage;
    private final PairTokenizer.Overflow overflow;

    PreferenceStage(Stage stage, PairTokenizer.Overflow overflow) {
        this.stage = stage;
        this.overflow = overflow;
    }

    @Override
    public final Stage stage() {
        return stage;
    }

    @Override
    public final void validate(FineTuneJobSpec spec) {
        PreferenceData.validate(spec);
        PreferenceSettings.of(spec.preference);
    }

    @Override
    public final StageData<PairBatch> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        return PreferenceData.prepare(spec, inputs, tokenizer, overflow);
    }
}
