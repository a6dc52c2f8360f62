package io.kubetune.trainer.status;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.CheckpointRef;
import io.kubetune.api.v1alpha1.MlflowRunRef;
import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Reports a FineTuneJob's progress to its {@code status.progress} and {@code
 * status.lastCheckpoint}: at most once per interval (5 s in a pod), at once at every checkpoint,
 * and at the end. Training only updates counters; the API calls happen on a background thread.
 */
public final class StatusReporter implements TrainingListener, AutoCloseable {
    /** How often progress is reported in a pod. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final ProgressTracker progress = new ProgressTracker();
    private final StatusApplier applier;
    private final Clock clock;
    private final ReportSender sender;
    private final Duration finalReportTimeout;
    private final Function<Path, String> published;

    private CheckpointRef lastCheckpoint;
    private MlflowRunRef mlflowRun;
    private long reportedStep = -1;
    private CheckpointRef reportedCheckpoint;
    private boolean started;
    private boolean closed;

    public StatusReporter(
            StatusApplier applier,
            String target,
            Duration interval,
            Duration finalReportTimeout,
            PrintStream log) {
        this(applier, target, interval, finalReportTimeout, log, TrainerResults::uri);
    }

    /**
     * @param published where readers find a checkpoint the run wrote (e.g. its s3:// URI)
     */
    public StatusReporter(
            StatusApplier applier,
            String target,
            Duration interval,
            Duration finalReportTimeout,
            PrintStream log,
            Function<Path, String> published) {
        this.published = published;
        this.applier = applier;
        this.clock = Clock.systemUTC();
        this.finalReportTimeout = finalReportTimeout;
        this.sender = new ReportSender(this::nextReport, applier, interval, log, target);
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        progress.start(totalSteps, resumedAtStep);
        synchronized (this) {
            started = true;
        }
        sender.sendSoon();
    }

    @Override
    public void onStep(StepResult result, long totalSteps, double epoch) {
        progress.step(result, totalSteps, epoch);
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        progress.evaluation(evaluation);
    }

    @Override
    public void onCheckpoint(long step, Path checkpoint) {
        CheckpointRef ref = new CheckpointRef();
        ref.step = step;
        ref.uri = published.apply(checkpoint);
        ref.time = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        synchronized (this) {
            lastCheckpoint = ref;
        }
        sender.sendSoon();
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        close();
    }

    /** The MLflow run the job logs to (spec.tracking.mlflow), from now on in every report. */
    public void onMlflowRun(MlflowRunRef run) {
        synchronized (this) {
            mlflowRun = run;
            reportedStep = -1; // a new field to send even when the step did not move
        }
        sender.sendSoon();
    }

    /** Sends the final report (waiting at most the final-report timeout) and stops. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        sender.close(finalReportTimeout);
        if (applier instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // nothing left to report with it
            }
        }
    }

    /** Reports sent successfully so far. */
    public long reportsSent() {
        return sender.sent();
    }

    /** The status fields the trainer owns, or null when nothing changed since the last report. */
    private synchronized Map<String, Object> nextReport() {
        long step = progress.step();
        if (!started || (step == reportedStep && lastCheckpoint == reportedCheckpoint)) {
            return null;
        }
        reportedStep = step;
        reportedCheckpoint = lastCheckpoint;
        // Every apply carries all the fields the trainer owns: server-side apply removes those a
        // manager leaves out.
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("progress", asMap(progress.snapshot(Instant.now(clock))));
        if (lastCheckpoint != null) {
            status.put("lastCheckpoint", asMap(lastCheckpoint));
        }
        if (mlflowRun != null) {
            status.put("mlflow", asMap(mlflowRun));
        }
        return status;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return JSON.convertValue(value, Map.class);
    }
}
