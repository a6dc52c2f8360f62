package io.kubetune.trainer.train;

import java.nio.file.Path;
import java.util.List;

/** Hears what the run does: progress bars, metrics files, status reports. */
public interface TrainingListener {
    default void onStart(long totalSteps, long resumedAtStep) {}

    default void onStep(StepResult result, long totalSteps, double epoch) {}

    /** The held-out loss only; override {@link #onEvaluation(long, Evaluation)} for metrics. */
    default void onEvaluation(long step, double evalLoss) {}

    /** The held-out loss and the stage's metrics; by default passes the loss on. */
    default void onEvaluation(long step, Evaluation evaluation) {
        onEvaluation(step, evaluation.loss());
    }

    default void onCheckpoint(long step, Path checkpoint) {}

    /** Answers to held-out prompts, "before" and "after" training. */
    default void onGenerations(String stage, List<SampleGenerations.Generation> generations) {}

    default void onFinish(FineTuneRun.Outcome outcome) {}
}
