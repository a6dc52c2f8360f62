package io.kubetune.trainer.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Forward passes whose backward was deferred, run later newest first (the order autograd would
 * reach them): the one queue that gradient checkpointing and the quantized linears' backward keep.
 *
 * @param <P> what a pass left for its backward
 */
public final class PendingBackwards<P> {
    private final Deque<P> pending = new ArrayDeque<>();
    private final Consumer<P> backward;

    /**
     * @param backward runs one pass's backward
     */
    public PendingBackwards(Consumer<P> backward) {
        this.backward = backward;
    }

    public void push(P pass) {
        pending.push(pass);
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Runs every pending backward, newest first; after a failure the rest are forgotten. */
    public void runAll() {
        try {
            while (!pending.isEmpty()) {
                backward.accept(pending.pop());
            }
        } finally {
            pending.clear();
        }
    }

    /** Forgets passes whose backward will not run. */
    public void clear() {
        pending.clear();
    }
}
