package io.kubetune.trainer.status;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalResult;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An EvalJob's results on its status: {@code results}, and the first task and its score. */
public final class EvalStatus {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final int ATTEMPTS = 3;

    private EvalStatus() {}

    /** The status fields the trainer owns, for {@code kubectl get evaljobs}. */
    static Map<String, Object> of(List<EvalResult> results) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("results", JSON.convertValue(results, List.class));
        if (!results.isEmpty()) {
            EvalResult first = results.get(0);
            status.put("task", first.task);
            Double score = "perplexity".equals(first.task) ? first.perplexity : first.accNorm;
            if (score != null && Double.isFinite(score)) {
                status.put("score", score);
            }
        }
        return status;
    }

    /**
     * Writes the results to the EvalJob's status when reporting is on. A failure is logged, not
     * thrown: the results are in the termination message too, and the operator copies them from
     * there.
     */
    public static void report(
            EvalJob job, List<EvalResult> results, Map<String, String> env, PrintStream log) {
        if (!StatusReporting.enabled(env)) {
            return;
        }
        StatusTarget target = StatusTarget.of(job);
        try (KubernetesStatusApplier applier = KubernetesStatusApplier.inCluster(target)) {
            report(applier, target.toString(), results, log);
        }
    }

    static boolean report(
            StatusApplier applier, String target, List<EvalResult> results, PrintStream log) {
        Map<String, Object> status = of(results);
        for (int attempt = 1; ; attempt++) {
            try {
                applier.apply(status);
                return true;
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS) {
                    log.println(
                            "status: could not write the results to "
                                    + target
                                    + " (they are in the termination message): "
                                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
                    return false;
                }
                try {
                    Thread.sleep(1000L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }
}
