package io.kubetune.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.optim.AdamW;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Saves the run's trainable weights and optimizer to checkpoints, and resumes from the newest. */
final class Checkpointer {
    /** Where a run starts: the position and the checkpoint it came from (null when fresh). */
    record Start(CheckpointStore.TrainerState state, Path checkpoint) {}

    private final CheckpointStore store;
    private final Map<String, Parameter> trainable;
    private final AdamW optimizer;
    private final NDManager manager;
    private final TrainingListener listeners;
    private Path last;

    Checkpointer(
            CheckpointStore store,
            Map<String, Parameter> trainable,
            AdamW optimizer,
            NDManager manager,
            TrainingListener listeners) {
        this.store = store;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.manager = manager;
        this.listeners = listeners;
    }

    /** Restores the newest complete checkpoint, if any. */
    Start resume() throws IOException {
        Optional<Path> newest = store.newestComplete();
        if (newest.isEmpty()) {
            return new Start(new CheckpointStore.TrainerState(0, Double.MAX_VALUE, 0), null);
        }
        last = newest.get();
        return new Start(store.restore(last, trainable, optimizer, manager), last);
    }

    /** Writes a checkpoint of the state after {@code state.step()} and tells the listeners. */
    Path save(CheckpointStore.TrainerState state) throws IOException {
        last = store.save(state.step(), trainable, optimizer, state);
        listeners.onCheckpoint(state.step(), last);
        return last;
    }

    /** The newest checkpoint written or resumed from, or null. */
    Path last() {
        return last;
    }
}
