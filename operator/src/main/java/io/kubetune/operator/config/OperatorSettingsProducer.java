package io.kubetune.operator.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the operator's settings from Quarkus configuration: {@code kubetune.trainer.image}
 * (KUBETUNE_TRAINER_IMAGE), {@code kubetune.trainer.gpu-image} (KUBETUNE_TRAINER_GPU_IMAGE) and
 * {@code kubetune.resync-interval}.
 */
public class OperatorSettingsProducer {

    @Produces
    @Singleton
    OperatorSettings settings(
            @ConfigProperty(name = "kubetune.trainer.image") String image,
            @ConfigProperty(name = "kubetune.trainer.gpu-image") Optional<String> gpuImage,
            @ConfigProperty(name = "kubetune.resync-interval", defaultValue = "60s")
                    Duration resync) {
        return new OperatorSettings(image, gpuImage.orElse(null), resync);
    }
}
