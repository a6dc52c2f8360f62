package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.api.v1alpha1.RunSpec;
import java.util.List;

/**
 * What one attempt's Job is made from.
 *
 * @param owner the FineTuneJob or EvalJob
 * @param run its run settings (resources, image, queue)
 * @param command the trainer sub-command: {@code train} or {@code eval}
 * @param secretNames Secrets whose keys become the trainer's environment, in order (a later
 *     Secret's key wins)
 * @param mlflowSecret the Secret with the MLflow credentials (spec.tracking.mlflow.secretRef), or
 *     null
 * @param attempt 1 for the first run, one more for each resumed run
 * @param image the trainer image to run
 * @param activeDeadlineSeconds what is left of spec.activeDeadlineSeconds, or null
 */
public record TrainerJobRequest(
        HasMetadata owner,
        RunSpec run,
        String command,
        List<String> secretNames,
        String mlflowSecret,
        int attempt,
        String image,
        Long activeDeadlineSeconds) {}
