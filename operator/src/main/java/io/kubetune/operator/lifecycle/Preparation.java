package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * What a job needs before its first Job can be made: the resource to write into the job file, the
 * Secrets for its environment and the Secret with the MLflow credentials (or null); or why it must
 * wait, or why it cannot run.
 */
public record Preparation(
        HasMetadata jobFile,
        List<String> secretNames,
        String mlflowSecret,
        String waitReason,
        String failReason,
        String message) {

    public static Preparation ready(HasMetadata jobFile, List<String> secretNames) {
        return ready(jobFile, secretNames, null);
    }

    public static Preparation ready(
            HasMetadata jobFile, List<String> secretNames, String mlflowSecret) {
        return new Preparation(jobFile, secretNames, mlflowSecret, null, null, null);
    }

    public static Preparation waiting(String reason, String message) {
        return new Preparation(null, List.of(), null, reason, null, message);
    }

    public static Preparation failed(String reason, String message) {
        return new Preparation(null, List.of(), null, null, reason, message);
    }
}
