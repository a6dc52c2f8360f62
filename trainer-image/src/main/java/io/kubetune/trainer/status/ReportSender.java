package io.kubetune.trainer.status;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sends status reports from a background thread, so that a slow or unreachable API server never
 * slows training: every tick (or at once when asked) it takes the newest report and applies it; a
 * failure is logged in one line and the report is replaced by a newer one or retried on the next
 * tick. Reports in between are never queued: only the latest state matters.
 */
final class ReportSender implements AutoCloseable {
    private final Supplier<Map<String, Object>> nextReport;
    private final StatusApplier applier;
    private final long intervalNanos;
    private final PrintStream log;
    private final String target;
    private final Thread thread;

    private boolean urgent;
    private boolean closing;
    private Map<String, Object> unsent;
    private String lastError;
    private long sent;

    /**
     * @param nextReport the report to send now, or null when nothing changed since the last one
     */
    ReportSender(
            Supplier<Map<String, Object>> nextReport,
            StatusApplier applier,
            Duration interval,
            PrintStream log,
            String target) {
        this.nextReport = nextReport;
        this.applier = applier;
        this.intervalNanos = interval.toNanos();
        this.log = log;
        this.target = target;
        this.thread = new Thread(this::loop, "kubetune-status");
        // Never keeps the JVM alive: the final report is sent by close(), with a time limit.
        thread.setDaemon(true);
        thread.start();
    }

    /** Sends the current state without waiting for the next tick (checkpoints). */
    synchronized void sendSoon() {
        urgent = true;
        notifyAll();
    }

    /** Reports sent successfully so far. */
    synchronized long sent() {
        return sent;
    }

    /** Sends the final state (one attempt) and stops, waiting at most {@code timeout}. */
    void close(Duration timeout) {
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void loop() {
        boolean last = false;
        while (!last) {
            last = awaitTick();
            Map<String, Object> report = nextReport.get();
            synchronized (this) {
                if (report == null) {
                    report = unsent;
                }
                unsent = null;
            }
            if (report != null) {
                send(report);
            }
        }
    }

    /** Waits for the next tick; true when closing (this is the final report). */
    private synchronized boolean awaitTick() {
        long deadline = System.nanoTime() + intervalNanos;
        long left;
        while (!urgent && !closing && (left = deadline - System.nanoTime()) > 0) {
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                return true;
            }
        }
        urgent = false;
        return closing;
    }

    private void send(Map<String, Object> report) {
        try {
            applier.apply(report);
            synchronized (this) {
                sent++;
            }
            if (lastError != null) {
                log.println("status: reporting to " + target + " works again");
                lastError = null;
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                unsent = report;
            }
            String error = oneLine(e);
            // One line per distinct error, not one per tick.
            if (!error.equals(lastError)) {
                log.println(
                        "status: could not report to "
                                + target
                                + " (training goes on, retrying every tick): "
                                + error);
                lastError = error;
            }
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getMessage();
        }
        message = message.replaceAll("\\s+", " ").strip();
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
