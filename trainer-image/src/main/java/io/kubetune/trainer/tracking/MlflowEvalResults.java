package io.kubetune.trainer.tracking;

import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.api.v1alpha1.EvalTrackingSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adds an EvalJob's results to the MLflow run of the FineTuneJob it evaluates (spec.tracking), as
 * metrics {@code <task>/<metric>} (lm-evaluation-harness's names) and a tag naming the EvalJob. The
 * results are on the status already: a server that does not answer costs one warning line, never
 * the evaluation.
 */
public final class MlflowEvalResults {
    private static final int ATTEMPTS = 4;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);

    private MlflowEvalResults() {}

    /** The metrics of the results; a value that is absent or not finite is left out. */
    static List<MlflowRest.Metric> metrics(List<EvalResult> results, long timestamp) {
        List<MlflowRest.Metric> metrics = new ArrayList<>();
        for (EvalResult r : results) {
            add(metrics, r.task, "acc", r.acc, timestamp);
            add(metrics, r.task, "acc_stderr", r.accStderr, timestamp);
            add(metrics, r.task, "acc_norm", r.accNorm, timestamp);
            add(metrics, r.task, "acc_norm_stderr", r.accNormStderr, timestamp);
            add(metrics, r.task, "perplexity", r.perplexity, timestamp);
        }
        return metrics;
    }

    private static void add(
            List<MlflowRest.Metric> into, String task, String name, Double value, long time) {
        if (value != null && Double.isFinite(value)) {
            into.add(new MlflowRest.Metric(task + "/" + name, value, time, 0));
        }
    }

    /**
     * Logs the results when the job's spec.tracking names a run; true when they were logged (or
     * there was nothing to log to).
     *
     * @param env MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD
     */
    public static boolean log(
            EvalJob job, List<EvalResult> results, Map<String, String> env, PrintStream log) {
        EvalTrackingSpec tracking = job.getSpec().tracking;
        if (tracking == null || tracking.mlflow == null || tracking.runId == null) {
            return true;
        }
        return log(
                new MlflowRest(tracking.mlflow.trackingUri, env),
                tracking.runId,
                job,
                results,
                log,
                FIRST_BACKOFF);
    }

    static boolean log(
            MlflowRest rest,
            String runId,
            EvalJob job,
            List<EvalResult> results,
            PrintStream log,
            Duration backoff) {
        List<MlflowRest.Metric> metrics = metrics(results, System.currentTimeMillis());
        Map<String, String> tags = Map.of("kubetune.eval_job", job.getMetadata().getName());
        for (int attempt = 1; ; attempt++) {
            try {
                rest.logBatch(runId, metrics, Map.of(), tags);
                log.println("[mlflow] results logged to run " + runId);
                return true;
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    log.println(
                            "[mlflow] warning: the results were not logged to run "
                                    + runId
                                    + " ("
                                    + e.getMessage()
                                    + "); they are on the EvalJob's status");
                    return false;
                }
                try {
                    Thread.sleep(backoff.toMillis() << (attempt - 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }
}
