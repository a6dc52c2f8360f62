package io.kubetune.trainer.train.stage;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.TrainingData;
import io.kubetune.trainer.train.TrainingPlan;
import java.io.IOException;

/**
 * {@code pt} and {@code sft}: next-token prediction, on every token (pt, or sft with trainOnPrompt)
 * or on the answers only, over packed or padded token batches.
 */
public final class CausalLmStage implements TrainingStage<Batch> {
    private final Stage stage;

    CausalLmStage(Stage stage) {
        this.stage = stage;
    }

    @Override
    public Stage stage() {
        return stage;
    }

    @Override
    public StageData<Batch> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        TrainingData data = TrainingData.prepare(spec, inputs, tokenizer);
        TrainingSpec training = spec.training;
        int padId = tokenizer.specialTokens().paddingId();
        TrainingPlan plan =
                new TrainingPlan(
                        data.train(),
                        training.batching,
                        training.cutoffLength,
                        training.batchSize,
                        training.maxTokensPerBatch,
                        training.gradientAccumulationSteps,
                        padId,
                        training.seed,
                        training.epochs,
                        training.maxSteps);
        return new StageData<>(
                plan,
                TrainingPlan.evaluationBatches(data.validation(), training.batchSize, padId),
                data.probes());
    }

    @Override
    public Objective<Batch> objective(StageContext context) {
        return new CausalLmObjective();
    }
}
