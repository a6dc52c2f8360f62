package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The string rules of {@link TestPodRunner} (env expansion, path mapping), without a cluster. */
class TestPodRunnerTest {

    @Test
    void expandsDefinedVariablesLikeTheKubelet() {
        Map<String, String> env = Map.of("A", "1", "B_C", "two");
        assertThat(ContainerEnvironment.expand("$(A)-$(B_C)-$(MISSING)-$$(A)-$(cat /x)", env))
                .isEqualTo("1-two-$(MISSING)-$(A)-$(cat /x)");
    }

    @Test
    void substitutesMountPathsWhereTheyStandAsPaths() {
        Map<String, String> paths =
                Map.of(
                        "/etc/kubetune", "/tmp/r/etc/kubetune",
                        "/data", "/tmp/r/data",
                        "/dev/termination-log", "/tmp/r/dev/termination-log");
        assertThat(PodPaths.substitute("--config=/etc/kubetune/job.json", paths))
                .isEqualTo("--config=/tmp/r/etc/kubetune/job.json");
        assertThat(PodPaths.substitute("cat /data; echo x > /dev/termination-log", paths))
                .isEqualTo("cat /tmp/r/data; echo x > /tmp/r/dev/termination-log");
        assertThat(PodPaths.substitute("/data", paths)).isEqualTo("/tmp/r/data");
        assertThat(PodPaths.substitute("'/data/x'", paths)).isEqualTo("'/tmp/r/data/x'");
        // not a mount path: a longer name, a path inside a URI, a relative path
        assertThat(PodPaths.substitute("/data2 s3://bucket/data x/data", paths))
                .isEqualTo("/data2 s3://bucket/data x/data");
    }

    @Test
    void namespaceNamesAreValidDnsLabels() {
        String ns = RealClusterExtension.namespaceName(TestPodRunnerTest.class);
        assertThat(ns).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
        assertThat(ns).startsWith("kt-test-pod-runner-test-");
    }
}
