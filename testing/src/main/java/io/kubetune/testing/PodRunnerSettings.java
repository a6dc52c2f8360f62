package io.kubetune.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/** What every pod of one {@link TestPodRunner} shares. */
record PodRunnerSettings(
        KubernetesClient client,
        String namespace,
        Path workDir,
        ImageRules images,
        boolean inheritEnvironment,
        boolean echoLogs) {}
