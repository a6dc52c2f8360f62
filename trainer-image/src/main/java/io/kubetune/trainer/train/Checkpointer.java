package io.kubetune.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.DynamicLossScaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Saves the run's trainable weights, optimizer (with an fp16 run's loss scale) and settings to
 * checkpoints, and resumes from the newest one only when it was written with the same settings (or
 * from the one the user names).
 */
final class Checkpointer {
    private final CheckpointStore store;
    private final Map<String, Parameter> trainable;
    private final AdamW optimizer;
    private final DynamicLossScaler lossScaler;
    private final NDManager manager;
    private final RunSettings settings;
    private final TrainingListener listeners;
    private Path last;
    private long lastStep = -1;

    Checkpointer(
            CheckpointStore store,
            Map<String, Parameter> trainable,
            AdamW optimizer,
            DynamicLossScaler lossScaler,
            NDManager manager,
            RunSettings settings,
            TrainingListener listeners) {
        this.store = store;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.lossScaler = lossScaler;
        this.manager = manager;
        this.settings = settings;
        this.listeners = listeners;
    }

    /** Restores the checkpoint {@code choice} names, or the newest complete one; else step 0. */
    CheckpointStore.TrainerState resume(ResumeChoice choice) throws IOException {
        Optional<Path> from =
                choice.mode() == ResumeChoice.Mode.FROM
                        ? Optional.of(named(choice.checkpoint()))
                        : store.newestComplete();
        if (from.isEmpty()) {
            return new CheckpointStore.TrainerState(0, Double.MAX_VALUE, 0, Double.NaN);
        }
        if (choice.mode() == ResumeChoice.Mode.NEWEST) {
            checkSameJob(from.get());
        }
        if (choice.mode() != ResumeChoice.Mode.FROM) {
            checkSameSettings(from.get());
        }
        CheckpointStore.TrainerState state =
                store.restore(from.get(), trainable, optimizer, lossScaler, manager);
        last = from.get();
        lastStep = state.step();
        return state;
    }

    /** Writes a checkpoint of the state after {@code state.step()} and tells the listeners. */
    Path save(CheckpointStore.TrainerState state) throws IOException {
        last = store.save(state.step(), trainable, optimizer, lossScaler, state, settings);
        lastStep = state.step();
        listeners.onCheckpoint(state.step(), last);
        return last;
    }

    /** Writes the final checkpoint unless the newest one already holds this step. */
    void saveFinal(CheckpointStore.TrainerState state) throws IOException {
        if (lastStep != state.step()) {
            save(state);
        }
    }

    /** The newest checkpoint written or resumed from, or null. */
    Path last() {
        return last;
    }

    /**
     * A re-created FineTuneJob (same name and output, new uid) must not continue an older run
     * unasked; the same job's retries (new pods, same uid) and local runs resume.
     */
    private void checkSameJob(Path checkpoint) throws IOException {
        Optional<RunSettings> stored = store.settings(checkpoint);
        if (stored.isEmpty() || Objects.equals(stored.get().jobUid(), settings.jobUid())) {
            return;
        }
        String writer = stored.get().jobUid();
        throw new IllegalArgumentException(
                checkpoint
                        + " was written by "
                        + (writer == null ? "a local run" : "FineTuneJob uid " + writer)
                        + ", not by this "
                        + (settings.jobUid() == null
                                ? "local run"
                                : "FineTuneJob (uid " + settings.jobUid() + ")")
                        + ": to continue from it set spec.checkpoint.resume: any-job"
                        + (settings.jobUid() == null
                                ? " or run with --resume-from " + checkpoint
                                : "")
                        + "; to start again write to a new spec.output.uri"
                        + (settings.jobUid() == null ? " or run with --overwrite" : ""));
    }

    private void checkSameSettings(Path checkpoint) throws IOException {
        Optional<RunSettings> stored = store.settings(checkpoint);
        if (stored.isEmpty() || stored.get().hash().equals(settings.hash())) {
            return;
        }
        List<String> changes = stored.get().changesTo(settings);
        throw new IllegalArgumentException(
                checkpoint
                        + " was written by a different spec ("
                        + String.join(", ", changes)
                        + "); run with --overwrite to start again, or --resume-from "
                        + checkpoint
                        + " to continue from it anyway");
    }

    private static Path named(Path checkpoint) {
        if (!Files.exists(checkpoint.resolve(CheckpointStore.MANIFEST))) {
            throw new IllegalArgumentException(
                    "--resume-from "
                            + checkpoint
                            + " is not a complete checkpoint (no "
                            + CheckpointStore.MANIFEST
                            + "); pass a checkpoints/step-NNNNNNNN folder");
        }
        return checkpoint;
    }
}
