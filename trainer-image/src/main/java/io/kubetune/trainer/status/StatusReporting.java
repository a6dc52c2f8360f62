package io.kubetune.trainer.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.api.v1alpha1.TrainerContract;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Whether and how this process reports to its resource's status, read from the environment. */
public final class StatusReporting {
    /** Environment: seconds between progress reports (default 5; tests use less). */
    public static final String INTERVAL_ENV = "KUBETUNE_STATUS_INTERVAL_SECONDS";

    // The final report must fit in the pod's termination grace period, next to the checkpoint.
    private static final Duration FINAL_REPORT_TIMEOUT = Duration.ofSeconds(10);

    private StatusReporting() {}

    /** True when the operator asked for status reports ({@code KUBETUNE_REPORT_STATUS=true}). */
    public static boolean enabled(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.get(TrainerContract.REPORT_STATUS_ENV));
    }

    /** A reporter for {@code job}'s status when reporting is on; empty on a workstation. */
    public static Optional<StatusReporter> forTraining(
            HasMetadata job, Map<String, String> env, PrintStream log) {
        return forTraining(job, env, log, TrainerResults::uri);
    }

    /**
     * @param published where readers find a checkpoint the run wrote (e.g. its s3:// URI)
     */
    public static Optional<StatusReporter> forTraining(
            HasMetadata job,
            Map<String, String> env,
            PrintStream log,
            java.util.function.Function<java.nio.file.Path, String> published) {
        if (!enabled(env)) {
            return Optional.empty();
        }
        StatusTarget target = StatusTarget.of(job);
        KubernetesStatusApplier applier = KubernetesStatusApplier.inCluster(target);
        return Optional.of(
                new StatusReporter(
                        applier,
                        target.toString(),
                        interval(env),
                        FINAL_REPORT_TIMEOUT,
                        log,
                        published));
    }

    static Duration interval(Map<String, String> env) {
        String value = env.get(INTERVAL_ENV);
        if (value == null || value.isBlank()) {
            return StatusReporter.DEFAULT_INTERVAL;
        }
        try {
            double seconds = Double.parseDouble(value);
            if (seconds > 0) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                INTERVAL_ENV + " is " + value + ": give a positive number of seconds, e.g. 5");
    }
}
