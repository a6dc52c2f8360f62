package io.kubetune.operator.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What the reconcilers need from the operator's configuration, as plain values so that tests can
 * build the reconcilers without Quarkus.
 *
 * @param trainerImage image of trainer pods ({@code KUBETUNE_TRAINER_IMAGE})
 * @param gpuTrainerImage image of trainer pods that ask for GPUs ({@code
 *     KUBETUNE_TRAINER_GPU_IMAGE}); the trainer image when unset
 * @param resyncInterval how often a running job is looked at even when nothing changed (deadline
 *     and TTL checks, pod states missed by a watch)
 * @param policy what jobs may ask of the cluster (images, node selectors, tolerations)
 */
public record OperatorSettings(
        String trainerImage,
        String gpuTrainerImage,
        Duration resyncInterval,
        TrainerPolicy policy) {

    /** Settings that allow any image and placement. */
    public OperatorSettings(String trainerImage, String gpuTrainerImage, Duration resyncInterval) {
        this(trainerImage, gpuTrainerImage, resyncInterval, TrainerPolicy.OPEN);
    }

    public OperatorSettings {
        policy = policy == null ? TrainerPolicy.OPEN : policy;
        Objects.requireNonNull(trainerImage, "trainerImage");
        if (gpuTrainerImage == null || gpuTrainerImage.isBlank()) {
            gpuTrainerImage = trainerImage;
        }
        Objects.requireNonNull(resyncInterval, "resyncInterval");
    }

    /** The image for a pod asking for {@code gpus} GPUs. */
    public String imageFor(int gpus) {
        return gpus > 0 ? gpuTrainerImage : trainerImage;
    }
}
