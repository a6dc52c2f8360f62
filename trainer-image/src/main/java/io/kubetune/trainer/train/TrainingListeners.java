package io.kubetune.trainer.train;

import java.nio.file.Path;
import java.util.List;

/** Tells every listener, in order. */
final class TrainingListeners implements TrainingListener {
    private final List<TrainingListener> listeners;

    TrainingListeners(List<TrainingListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        listeners.forEach(l -> l.onStart(totalSteps, resumedAtStep));
    }

    @Override
    public void onStep(StepResult result, long totalSteps, double epoch) {
        listeners.forEach(l -> l.onStep(result, totalSteps, epoch));
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        listeners.forEach(l -> l.onEvaluation(step, evaluation));
    }

    @Override
    public void onCheckpoint(long step, Path checkpoint) {
        listeners.forEach(l -> l.onCheckpoint(step, checkpoint));
    }

    @Override
    public void onGenerations(String stage, List<SampleGenerations.Generation> generations) {
        listeners.forEach(l -> l.onGenerations(stage, generations));
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        listeners.forEach(l -> l.onFinish(outcome));
    }
}
