package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import java.util.List;

/**
 * {@code rm}: a reward model, the base with a {@code score} head (Linear(hidden, 1), read at the
 * last non-padding token) trained so chosen answers score above rejected ones. The held-out
 * pairwise accuracy is its evaluation metric ({@code eval_accuracy}). Pairs longer than the cutoff
 * are dropped, as TRL's RewardTrainer does.
 */
public final class RewardStage extends PreferenceStage {
    public RewardStage() {
        super(Stage.RM, PairTokenizer.Overflow.DROP);
    }

    /** The pairwise accuracy: how often the chosen answer scores above the rejected one. */
    @Override
    public List<String> mainMetrics() {
        return List.of("accuracy");
    }

    /** The base's score head if it has one, else a new one initialised as transformers does. */
    @Override
    public Heads heads() {
        return Heads.NEW_REWARD_MODEL;
    }

    @Override
    public Objective<PairBatch> objective(StageContext context) {
        return new RewardObjective(PreferenceSettings.of(context.spec().preference));
    }
}
