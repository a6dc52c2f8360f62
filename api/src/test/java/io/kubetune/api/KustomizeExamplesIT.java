package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What GitOps tools apply from examples/ (examples/kustomization.yaml) is accepted by the real API
 * server with the committed CRDs: kustomize renders it and a server-side dry run creates each job.
 */
@RealCluster
class KustomizeExamplesIT {

    @Test
    void kustomizedExamplesAreAcceptedByTheApiServer(TestEnvironment env, TestNamespace ns) {
        CommandLine kubectl =
                new CommandLine(
                        env.kubectl(), Map.of("KUBECONFIG", env.kubeconfigPath().toString()));

        String out =
                kubectl.ok(
                                null,
                                "apply",
                                "-k",
                                "examples",
                                "--dry-run=server",
                                "--validate=strict",
                                "-n",
                                ns.name())
                        .stdout();

        assertThat(out.lines())
                .containsExactlyInAnyOrder(
                        "finetunejob.kubetune.io/qwen-alpaca-lora created (server dry run)",
                        "evaljob.kubetune.io/qwen-alpaca-lora-hellaswag created (server dry run)");
    }

    /** examples/rlhf/ as Argo CD or Flux would apply it: every job of the pipeline. */
    @Test
    void theRlhfPipelineIsAccepted(TestEnvironment env, TestNamespace ns) {
        CommandLine kubectl =
                new CommandLine(
                        env.kubectl(), Map.of("KUBECONFIG", env.kubeconfigPath().toString()));

        String out =
                kubectl.ok(
                                null,
                                "apply",
                                "-k",
                                "examples/rlhf",
                                "--dry-run=server",
                                "--validate=strict",
                                "-n",
                                ns.name())
                        .stdout();

        assertThat(out.lines())
                .containsExactlyInAnyOrder(
                        "finetunejob.kubetune.io/wordnet-sft created (server dry run)",
                        "finetunejob.kubetune.io/wordnet-rm created (server dry run)",
                        "finetunejob.kubetune.io/wordnet-ppo created (server dry run)",
                        "finetunejob.kubetune.io/wordnet-grpo created (server dry run)");
    }
}
