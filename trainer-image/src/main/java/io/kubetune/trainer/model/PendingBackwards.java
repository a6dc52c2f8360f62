package io.kubetune.trainer.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Forward passes whose backward was deferred, run later newest first (the order autograd would
 * reach them): the one queue that gradient checkpointing, the layer-scoped backward and the
 * quantized linears' backward keep. Consecutive passes that share what their backward goes through
 * next (linears reading one input) may run as one group.
 *
 * @param <P> what a pass left for its backward
 */
public final class PendingBackwards<P> {
    private final Deque<P> pending = new ArrayDeque<>();
    private final BiPredicate<P, P> sameGroup;
    private final Consumer<List<P>> backward;

    /**
     * @param backward runs one pass's backward
     */
    public PendingBackwards(Consumer<P> backward) {
        this((a, b) -> false, group -> group.forEach(backward));
    }

    /**
     * @param sameGroup whether two passes, the later one first, share one backward
     * @param backward runs the backward of a group of passes, the latest first
     */
    public PendingBackwards(BiPredicate<P, P> sameGroup, Consumer<List<P>> backward) {
        this.sameGroup = sameGroup;
        this.backward = backward;
    }

    public void push(P pass) {
        pending.push(pass);
    }

    /** Returns the latest pass, or null. */
    public P latest() {
        return pending.peek();
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Returns the passes pushed so far as a queue of their own, leaving this one empty. */
    public PendingBackwards<P> takeAll() {
        PendingBackwards<P> taken = new PendingBackwards<>(sameGroup, backward);
        taken.pending.addAll(pending);
        pending.clear();
        return taken;
    }

    /** Runs every pending backward, newest first; after a failure the rest are forgotten. */
    public void runAll() {
        try {
            while (!pending.isEmpty()) {
                List<P> group = new ArrayList<>();
                group.add(pending.pop());
                while (!pending.isEmpty() && sameGroup.test(group.get(0), pending.peek())) {
                    group.add(pending.pop());
                }
                backward.accept(group);
            }
        } finally {
            pending.clear();
        }
    }

    /** Forgets passes whose backward will not run. */
    public void clear() {
        pending.clear();
    }

    /** Returns the passes, newest first, for a caller that frees what they hold. */
    public List<P> passes() {
        return List.copyOf(pending);
    }
}
