package io.kubetune.trainer.train;

import java.nio.file.Path;
import java.util.List;

/** Hears what the run does: progress bars, metrics files, status reports. */
public interface TrainingListener {
    default void onStart(long totalSteps, long resumedAtStep) {}

    default void onStep(StepResult result, long totalSteps, double epoch) {}

    default void onEvaluation(long step, double evalLoss) {}

    default void onCheckpoint(long step, Path checkpoint) {}

    /** Answers to held-out prompts, "before" and "after" training. */
    default void onGenerations(String stage, List<SampleGenerations.Generation> generations) {}

    default void onFinish(FineTuneRun.Outcome outcome) {}
}
