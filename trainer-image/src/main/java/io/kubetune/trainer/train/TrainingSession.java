package io.kubetune.trainer.train;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.train.stage.StageData;
import java.io.IOException;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The steps of one run, from where its newest checkpoint left off: train, evaluate when due, stop
 * early when the held-out loss stalls, checkpoint, and at the end write the results.
 *
 * @param <B> the stage's batch type
 */
final class TrainingSession<B> {
    private final FineTuneJobSpec spec;
    private final StageData<B> data;
    private final TrainingLoop<B> loop;
    private final Checkpointer checkpoints;
    private final ProbeAnswers answers;
    private final RunExport export;
    private final ResumeChoice resume;
    private final TrainingListener listeners;
    private double lastLoss = Double.NaN;
    private Double lastEval;

    TrainingSession(
            FineTuneJobSpec spec,
            StageData<B> data,
            TrainingLoop<B> loop,
            Checkpointer checkpoints,
            ProbeAnswers answers,
            RunExport export,
            ResumeChoice resume,
            TrainingListener listeners) {
        this.resume = resume;
        this.spec = spec;
        this.data = data;
        this.loop = loop;
        this.checkpoints = checkpoints;
        this.answers = answers;
        this.export = export;
        this.listeners = listeners;
    }

    /**
     * @param stopRequested polled between steps; when true, a checkpoint is written and the run
     *     returns unfinished
     */
    FineTuneRun.Outcome run(BooleanSupplier stopRequested) throws IOException {
        CheckpointStore.TrainerState start = checkpoints.resume(resume);
        lastLoss = start.lastLoss();
        long total = data.plan().totalSteps();
        EarlyStopping early = new EarlyStopping(spec.training.earlyStoppingPatience, start);
        PeriodicEvaluation<B> evaluation =
                new PeriodicEvaluation<>(
                        loop, data.evaluation(), spec.training.evalSteps, total, listeners);
        long step = start.step();
        listeners.onStart(total, step);
        if (step == 0) {
            answers.ask("before");
            if (evaluation.enabled()) {
                evaluation.run(0); // the baseline the eval losses of training compare to
            }
        }
        while (step < total) {
            StepResult result = loop.step(data.plan().microBatches(step));
            step = result.step();
            lastLoss = result.loss();
            listeners.onStep(result, total, data.plan().epochAt(step));
            Optional<Evaluation> evaluated = evaluation.after(step);
            if (evaluated.isPresent()) {
                lastEval = evaluated.get().loss();
                if (early.record(lastEval)) {
                    export.bestAdapter();
                }
            }
            boolean stop = stopRequested.getAsBoolean();
            if (step % spec.checkpoint.everySteps == 0 || stop || early.shouldStop()) {
                checkpoints.save(early.state(step, lastLoss));
            }
            if (stop) {
                return finish(
                        new FineTuneRun.Outcome(
                                false, step, lastLoss, lastEval, null, null, checkpoints.last()));
            }
            if (early.shouldStop()) {
                break;
            }
        }
        return complete(early.state(step, lastLoss));
    }

    /**
     * The final checkpoint first, so that a failed export is retried by running again without
     * training again; then the adapter, the answers after training and the model.
     */
    private FineTuneRun.Outcome complete(CheckpointStore.TrainerState state) throws IOException {
        checkpoints.saveFinal(state);
        long step = state.step();
        java.nio.file.Path adapter = export.adapter();
        answers.ask("after");
        java.nio.file.Path model = export.model();
        return finish(
                new FineTuneRun.Outcome(
                        true, step, lastLoss, lastEval, adapter, model, checkpoints.last()));
    }

    private FineTuneRun.Outcome finish(FineTuneRun.Outcome outcome) {
        listeners.onFinish(outcome);
        return outcome;
    }
}
