package io.kubetune.trainer.prompt;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.tree.Node;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Bounds on one render of a chat template from a model, which is outside input. Jinjava's own
 * limits cap the output, strings, lists and recursion; this counts the nodes rendered (every loop
 * iteration renders some) and runs the render on a worker thread with a deadline, so nested loops
 * or exponential macros fail within seconds. A render past its budget is told to stop: every node
 * it reaches afterwards throws, so the worker unwinds instead of running on.
 */
final class TemplateLimits {
    static final long MAX_OUTPUT_CHARS = 4L << 20;
    static final long MAX_STRING_CHARS = 4L << 20;
    static final int MAX_LIST_SIZE = 100_000;
    static final int RANGE_LIMIT = 10_000;
    static final int MAX_MACRO_DEPTH = 20;
    static final long MAX_NODES = 2_000_000;
    static final Duration MAX_TIME = Duration.ofSeconds(5);

    private static final ThreadLocal<TemplateLimits> CURRENT = new ThreadLocal<>();
    private static final ExecutorService WORKERS =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "chat-template");
                        t.setDaemon(true);
                        return t;
                    });

    private long nodes;
    private volatile String exceeded;

    /** Thrown from inside Jinjava; an Error because Jinjava records exceptions and renders on. */
    static final class Exceeded extends Error {
        Exceeded(String what) {
            super(what, null, false, false);
        }
    }

    /**
     * Runs {@code render} within the limits.
     *
     * @throws Exceeded naming the limit when one was reached
     */
    static <T> T run(Supplier<T> render) {
        TemplateLimits limits = new TemplateLimits();
        Future<T> result =
                WORKERS.submit(
                        () -> {
                            CURRENT.set(limits);
                            try {
                                T value = render.get();
                                limits.throwIfExceeded(); // Jinjava may have swallowed it
                                return value;
                            } finally {
                                CURRENT.remove();
                            }
                        });
        try {
            return result.get(MAX_TIME.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            limits.exceeded = "took longer than " + MAX_TIME.toSeconds() + " s to render";
            result.cancel(true);
            throw new Exceeded(limits.exceeded);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            throw new IllegalStateException("interrupted while rendering the chat template", e);
        }
    }

    /** Jinjava's node pre-processor: runs before every node is rendered. */
    static void beforeNode(Node node, JinjavaInterpreter interpreter) {
        TemplateLimits limits = CURRENT.get();
        if (limits == null) {
            return;
        }
        if (++limits.nodes > MAX_NODES && limits.exceeded == null) {
            limits.exceeded = "rendered more than " + MAX_NODES + " steps (loops too deep?)";
        }
        limits.throwIfExceeded();
    }

    private void throwIfExceeded() {
        String reason = exceeded;
        if (reason != null) {
            throw new Exceeded(reason);
        }
    }
}
