package io.kubetune.trainer.tracking;

import io.kubetune.api.v1alpha1.MlflowRunRef;
import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Logs a run to MLflow: params and tags once, every metrics.jsonl value by step, the result URIs at
 * the end. Training only queues (bounded); a background thread sends, and while the server is
 * unreachable it keeps the metrics and retries with back-off, so a down server never fails or slows
 * the steps. Whatever is still unsent when the run ends (after {@link #CLOSE_WAIT}) is reported in
 * one warning line.
 */
public final class MlflowLog implements TrainingListener, AutoCloseable {
    static final int MAX_PENDING = 200_000;
    static final Duration CLOSE_WAIT = Duration.ofSeconds(60);
    // MLflow allows 1000 a call; smaller calls stay quick on a busy server (SQLite store: ~seconds)
    private static final int BATCH = 200;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** What the status shows once the run exists. */
    public record Run(String experimentId, String runId, String url) {
        public MlflowRunRef toStatus() {
            MlflowRunRef ref = new MlflowRunRef();
            ref.experimentId = experimentId;
            ref.runId = runId;
            ref.url = url;
            return ref;
        }
    }

    /** The MLflow run to create: where, under which name, with which params and tags. */
    public record RunDescription(
            String experiment,
            String runName,
            Map<String, String> params,
            Map<String, String> tags) {}

    private final MlflowRest rest;
    private final RunDescription description;
    private final Function<Path, String> uriOf;
    private final Consumer<Run> onRun;
    private final PrintStream log;
    private final ConcurrentLinkedQueue<MlflowRest.Metric> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Map<String, String> finalTags = new LinkedHashMap<>();
    private final Thread worker;
    private volatile String endStatus;
    private volatile Run run;
    private volatile String lastProblem;

    public MlflowLog(
            MlflowRest rest,
            RunDescription description,
            Function<Path, String> uriOf,
            Consumer<Run> onRun,
            PrintStream log) {
        this.rest = rest;
        this.description = description;
        this.uriOf = uriOf;
        this.onRun = onRun;
        this.log = log;
        this.worker = new Thread(this::sendUntilDone, "mlflow-log");
        worker.setDaemon(true);
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        worker.start();
    }

    @Override
    public void onStep(StepResult r, long totalSteps, double epoch) {
        long now = System.currentTimeMillis();
        queue("loss", r.loss(), now, r.step());
        queue("learning_rate", r.learningRate(), now, r.step());
        queue("grad_norm", r.gradNorm(), now, r.step());
        queue("tokens_per_second", TensorBoardLog.tokensPerSecond(r), now, r.step());
        queue("epoch", epoch, now, r.step());
        r.metrics().forEach((name, value) -> queue(name, value, now, r.step()));
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        long now = System.currentTimeMillis();
        queue("eval_loss", evaluation.loss(), now, step);
        evaluation.metrics().forEach((name, value) -> queue("eval_" + name, value, now, step));
    }

    /** The URIs of what the run produced become tags; a stopped run ends KILLED. */
    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        synchronized (finalTags) {
            putUri("kubetune.adapter_uri", outcome.adapterDir());
            putUri("kubetune.merged_model_uri", outcome.modelDir());
            putUri("kubetune.last_checkpoint_uri", outcome.lastCheckpoint());
        }
        endStatus = outcome.finished() ? "FINISHED" : "KILLED";
    }

    private void putUri(String tag, Path local) {
        if (local != null) {
            finalTags.put(tag, uriOf.apply(local));
        }
    }

    /** The run, once the server created it (else null). */
    public Run run() {
        return run;
    }

    private void queue(String key, double value, long timestamp, long step) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        pending.add(new MlflowRest.Metric(key, value, timestamp, step));
    }

    /**
     * Ends the run in MLflow (FAILED when {@link #finish} was never called), waiting at most {@link
     * #CLOSE_WAIT}.
     */
    @Override
    public void close() {
        if (endStatus == null) {
            endStatus = "FAILED";
        }
        if (!worker.isAlive()) {
            return;
        }
        try {
            worker.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt();
            log.println(
                    "[mlflow] warning: "
                            + pendingCount.get()
                            + " metric values were not logged ("
                            + lastProblem
                            + "); metrics.jsonl has them all");
        } else if (dropped.get() > 0) {
            log.println(
                    "[mlflow] warning: " + dropped.get() + " metric values dropped (buffer full)");
        }
    }

    private void sendUntilDone() {
        Duration backoff = FIRST_BACKOFF;
        boolean paramsSent = false;
        while (!Thread.currentThread().isInterrupted()) {
            String ending = endStatus;
            try {
                if (run == null) {
                    run = start();
                    onRun.accept(run);
                }
                if (!paramsSent) {
                    sendParams();
                    paramsSent = true;
                }
                boolean sentAll = sendMetrics();
                if (ending != null && sentAll) {
                    end(ending);
                    return;
                }
                if (lastProblem != null) {
                    log.println("[mlflow] tracking server reachable again; catching up");
                    lastProblem = null;
                }
                backoff = FIRST_BACKOFF;
                if (sentAll) {
                    Thread.sleep(200);
                }
            } catch (IOException | RuntimeException e) {
                if (lastProblem == null) {
                    log.println("[mlflow] " + e.getMessage() + "; metrics are kept and retried");
                }
                lastProblem = String.valueOf(e.getMessage());
                if (!sleep(backoff)) {
                    return;
                }
                backoff =
                        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                                ? MAX_BACKOFF
                                : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Run start() throws IOException {
        String experimentId = rest.experimentId(description.experiment());
        String runId = rest.createRun(experimentId, description.runName(), description.tags());
        return new Run(experimentId, runId, rest.runUrl(experimentId, runId));
    }

    private void sendParams() throws IOException {
        List<Map.Entry<String, String>> all = new ArrayList<>(description.params().entrySet());
        for (int i = 0; i < all.size(); i += 100) {
            Map<String, String> batch = new LinkedHashMap<>();
            all.subList(i, Math.min(all.size(), i + 100))
                    .forEach(e -> batch.put(e.getKey(), e.getValue()));
            rest.logBatch(run.runId(), List.of(), batch, Map.of());
        }
    }

    /** Sends one batch; true when nothing is left. Values leave the queue only once sent. */
    private boolean sendMetrics() throws IOException {
        List<MlflowRest.Metric> batch = new ArrayList<>(BATCH);
        for (MlflowRest.Metric m : pending) {
            if (batch.size() == BATCH) {
                break;
            }
            batch.add(m);
        }
        if (batch.isEmpty()) {
            return true;
        }
        rest.logBatch(run.runId(), batch, Map.of(), Map.of());
        for (int i = 0; i < batch.size(); i++) {
            pending.poll();
        }
        return pendingCount.addAndGet(-batch.size()) == 0;
    }

    private void end(String status) throws IOException {
        Map<String, String> last;
        synchronized (finalTags) {
            last = new LinkedHashMap<>(finalTags);
        }
        if (!last.isEmpty()) {
            rest.logBatch(run.runId(), List.of(), Map.of(), last);
        }
        rest.endRun(run.runId(), status);
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
