package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the pod runner knows of images in place of a registry, without a cluster. */
class ImageRulesTest {
    private final ImageRules rules =
            new ImageRules(
                    Map.of(
                            "kubetune/trainer:*", List.of("java", "-jar", "trainer.jar"),
                            "kubetune/trainer:gpu", List.of("gpu-trainer")),
                    List.of("kubetune/oom*"),
                    true);

    @Test
    void anExactImageWinsOverAPrefix() {
        assertThat(rules.entrypoint("kubetune/trainer:gpu")).containsExactly("gpu-trainer");
        assertThat(rules.entrypoint("kubetune/trainer:1"))
                .containsExactly("java", "-jar", "trainer.jar");
        assertThat(rules.entrypoint("busybox")).isNull();
    }

    @Test
    void anImageWithNeitherCommandNorEntrypointCannotBePulled() {
        assertThat(rules.cannotPull(container("busybox", null))).isTrue();
        assertThat(rules.cannotPull(container("busybox", List.of("sh")))).isFalse();
        assertThat(rules.cannotPull(container("kubetune/trainer:1", null))).isFalse();
    }

    @Test
    void exit137IsAnOomKillOnlyForTheImagesSaidSo() {
        assertThat(rules.terminatedReason(container("kubetune/oom:1", null), 137))
                .isEqualTo("OOMKilled");
        assertThat(rules.terminatedReason(container("busybox", null), 137)).isEqualTo("Error");
        assertThat(rules.terminatedReason(container("kubetune/oom:1", null), 1)).isEqualTo("Error");
        assertThat(rules.terminatedReason(container("busybox", null), 0)).isEqualTo("Completed");
    }

    private static Container container(String image, List<String> command) {
        return new ContainerBuilder().withName("c").withImage(image).withCommand(command).build();
    }
}
