package io.kubetune.trainer.train.stage.preference;

import io.kubetune.trainer.batch.FeedbackBatch;
import io.kubetune.trainer.batch.FeedbackCollator;
import io.kubetune.trainer.batch.TokenizedFeedback;
import io.kubetune.trainer.train.stage.EpochPlan;
import java.util.List;

/**
 * Stage kto's batches: every epoch the examples in the data's order, cut into batches, never
 * shuffled. TRL's KTOTrainer reads its data in order (train_sampling_strategy sequential) because
 * each example's KL row pairs it with its batch neighbours' answers.
 */
final class FeedbackPlan extends EpochPlan<FeedbackBatch> {
    private final List<FeedbackBatch> batches;

    FeedbackPlan(
            List<TokenizedFeedback> examples,
            FeedbackCollator collator,
            int batchSize,
            int accumulation,
            long seed,
            Integer epochs,
            Integer maxSteps) {
        super(
                batchCount(
                        nonEmpty(examples, "examples", "training.cutoffLength").size(), batchSize),
                accumulation,
                seed,
                epochs,
                maxSteps);
        this.batches = collator.collateInBatches(examples, batchSize);
    }

    @Override
    protected List<FeedbackBatch> batchesOfEpoch(long epochSeed) {
        return batches;
    }
}
