package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.api.v1alpha1.EvalResult;

/**
 * The summary of a hellaswag run, in the shape of an EvalJob's {@link EvalResult}.
 *
 * @param task always {@code hellaswag}
 * @param acc mean accuracy
 * @param accStderr its standard error; null for a single item
 * @param accNorm mean length-normalized accuracy
 * @param accNormStderr its standard error; null for a single item
 * @param n items scored
 * @param model the model evaluated
 * @param adapter the adapter applied; null if none
 * @param durationSeconds wall-clock seconds the task took
 */
public record HellaswagResult(
        String task,
        double acc,
        Double accStderr,
        double accNorm,
        Double accNormStderr,
        int n,
        String model,
        String adapter,
        double durationSeconds) {

    /** The task name in results. */
    public static final String TASK = "hellaswag";

    /** Summarizes scores. */
    public static HellaswagResult of(
            HellaswagScores scores, String model, String adapter, double durationSeconds) {
        return new HellaswagResult(
                TASK,
                scores.acc().mean(),
                scores.acc().stderr(),
                scores.accNorm().mean(),
                scores.accNorm().stderr(),
                scores.items().size(),
                model,
                adapter,
                durationSeconds);
    }

    /** The same values as the EvalJob status type. */
    public EvalResult toEvalResult() {
        EvalResult r = new EvalResult();
        r.task = task;
        r.acc = acc;
        r.accStderr = accStderr;
        r.accNorm = accNorm;
        r.accNormStderr = accNormStderr;
        r.n = n;
        r.model = model;
        r.adapter = adapter;
        r.durationSeconds = durationSeconds;
        return r;
    }
}
