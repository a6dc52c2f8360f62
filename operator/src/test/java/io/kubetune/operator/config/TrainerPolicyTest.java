package io.kubetune.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.Toleration;
import io.kubetune.operator.desired.TestJobs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerPolicyTest {
    private static final TrainerPolicy POLICY =
            new TrainerPolicy(
                    List.of("registry.example.com/kubetune/*", "kubetune/trainer:1"),
                    List.of("pool=gpu", "zone=*"),
                    List.of("nvidia.com/gpu"));

    @Test
    void anOpenPolicyAllowsAnything() {
        FineTuneJob j = TestJobs.fineTuneJob();
        j.getSpec().image = "anything:latest";

        assertThat(TrainerPolicy.OPEN.violation(j.getSpec())).isEmpty();
    }

    @Test
    void allowedImagesNodeSelectorsAndTolerationsPass() {
        FineTuneJob j = TestJobs.fineTuneJob(); // pool=gpu, toleration nvidia.com/gpu
        j.getSpec().image = "registry.example.com/kubetune/trainer-cuda:2";
        j.getSpec().resources.nodeSelector = Map.of("pool", "gpu", "zone", "eu-1");

        assertThat(POLICY.violation(j.getSpec())).isEmpty();
        j.getSpec().image = null; // the operator's own image is always allowed
        assertThat(POLICY.violation(j.getSpec())).isEmpty();
    }

    @Test
    void anImageOutsideIsRefusedNamingTheFieldAndTheAllowedValues() {
        FineTuneJob j = TestJobs.fineTuneJob();
        j.getSpec().image = "registry.example.com/other/miner:1";

        assertThat(POLICY.violation(j.getSpec()))
                .contains(
                        "spec.image: registry.example.com/other/miner:1 is not allowed by the"
                                + " operator's policy; allowed: registry.example.com/kubetune/*,"
                                + " kubetune/trainer:1 (ask the cluster administrator, or use one"
                                + " of these)");
    }

    @Test
    void aNodeSelectorOrTolerationOutsideIsRefused() {
        FineTuneJob j = TestJobs.fineTuneJob();
        j.getSpec().resources.nodeSelector = Map.of("pool", "system");

        assertThat(POLICY.violation(j.getSpec()).orElseThrow())
                .startsWith("spec.resources.nodeSelector: pool=system is not allowed")
                .contains("pool=gpu, zone=*");

        j = TestJobs.fineTuneJob();
        Toleration t = new Toleration();
        t.key = "node-role.kubernetes.io/control-plane";
        j.getSpec().resources.tolerations = List.of(t);
        assertThat(POLICY.violation(j.getSpec()).orElseThrow())
                .startsWith(
                        "spec.resources.tolerations[].key: node-role.kubernetes.io/control-plane"
                                + " is not allowed");
    }
}
