package io.kubetune.operator.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the operator's settings from Quarkus configuration: {@code kubetune.trainer.image}
 * (KUBETUNE_TRAINER_IMAGE), {@code kubetune.trainer.gpu-image} (KUBETUNE_TRAINER_GPU_IMAGE) and
 * {@code kubetune.resync-interval}, and the policy: {@code kubetune.policy.allowed-images}
 * (KUBETUNE_POLICY_ALLOWED_IMAGES), {@code kubetune.policy.allowed-node-selectors} and {@code
 * kubetune.policy.allowed-toleration-keys}, each comma-separated, empty = anything.
 */
public class OperatorSettingsProducer {

    @Produces
    @Singleton
    OperatorSettings settings(
            @ConfigProperty(name = "kubetune.trainer.image") String image,
            @ConfigProperty(name = "kubetune.trainer.gpu-image") Optional<String> gpuImage,
            @ConfigProperty(name = "kubetune.resync-interval", defaultValue = "60s")
                    Duration resync,
            @ConfigProperty(name = "kubetune.policy.allowed-images") Optional<List<String>> images,
            @ConfigProperty(name = "kubetune.policy.allowed-node-selectors")
                    Optional<List<String>> nodeSelectors,
            @ConfigProperty(name = "kubetune.policy.allowed-toleration-keys")
                    Optional<List<String>> tolerationKeys) {
        TrainerPolicy policy =
                new TrainerPolicy(
                        images.orElse(List.of()),
                        nodeSelectors.orElse(List.of()),
                        tolerationKeys.orElse(List.of()));
        return new OperatorSettings(image, gpuImage.orElse(null), resync, policy);
    }
}
