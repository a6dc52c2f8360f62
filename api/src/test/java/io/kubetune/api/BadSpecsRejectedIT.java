package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.testing.RealCluster;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every wrong spec of {@link BadSpec#all()}, CEL rules included, is refused by a real
 * kube-apiserver at create time with the field named; and a started job's spec is frozen except
 * suspend.
 */
@RealCluster
class BadSpecsRejectedIT {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    static Stream<BadSpec> cases() {
        return BadSpec.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithTheFieldNamed(BadSpec bad, KubernetesClient client) {
        JsonNode wrong = bad.applyTo(valid(bad.plural()));
        // a unique name, unless the mistake is about the name (a job that names itself)
        if (wrong.get("metadata")
                .get("name")
                .equals(valid(bad.plural()).get("metadata").get("name"))) {
            ((ObjectNode) wrong.get("metadata"))
                    .put(
                            "name",
                            "bad-" + Integer.toHexString(bad.description().hashCode() & 0xfffffff));
        }

        assertThatThrownBy(() -> client.resource(resource(wrong)).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(
                        e -> {
                            String message = e.getMessage();
                            assertThat(message).contains(bad.field() + ":");
                            // The server words a pattern failure as "should match '<pattern>'".
                            String expected =
                                    bad.message().equals("pattern")
                                            ? "should match"
                                            : bad.message();
                            assertThat(message).containsIgnoringCase(expected);
                        });
    }

    @Test
    void theExamplesAreAccepted(KubernetesClient client) {
        for (String plural : new String[] {"finetunejobs", "evaljobs"}) {
            GenericKubernetesResource created = client.resource(resource(valid(plural))).create();
            assertThat(created.getMetadata().getUid()).isNotBlank();
        }
    }

    @Test
    void aStartedJobsSpecIsFrozenExceptSuspend(KubernetesClient client) {
        ObjectNode job = (ObjectNode) valid("finetunejobs");
        ((ObjectNode) job.get("metadata")).put("name", "started");
        client.resource(resource(job)).create();
        GenericKubernetesResource current =
                client.genericKubernetesResources("kubetune.io/v1alpha1", "FineTuneJob")
                        .withName("started")
                        .get();
        current.setAdditionalProperty(
                "status", Map.of("startTime", "2026-11-24T00:00:00Z", "state", "Running"));
        client.resource(current).updateStatus();

        GenericKubernetesResource changed =
                client.genericKubernetesResources("kubetune.io/v1alpha1", "FineTuneJob")
                        .withName("started")
                        .get();
        ((Map<String, Object>)
                        ((Map<String, Object>) changed.getAdditionalProperties().get("spec"))
                                .get("training"))
                .put("learningRate", "1e-3");
        assertThatThrownBy(() -> client.resource(changed).update())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec is immutable once the job has started");

        GenericKubernetesResource suspended =
                client.genericKubernetesResources("kubetune.io/v1alpha1", "FineTuneJob")
                        .withName("started")
                        .get();
        ((Map<String, Object>) suspended.getAdditionalProperties().get("spec"))
                .put("suspend", true);
        GenericKubernetesResource updated = client.resource(suspended).update();
        assertThat(((Map<?, ?>) updated.getAdditionalProperties().get("spec")).get("suspend"))
                .isEqualTo(true);
    }

    private static JsonNode valid(String plural) {
        return CrdSchema.readYaml(
                RepoFiles.example(plural.equals("evaljobs") ? "evaljob.yaml" : "finetunejob.yaml"));
    }

    private static GenericKubernetesResource resource(JsonNode node) {
        return JSON.convertValue(node, GenericKubernetesResource.class);
    }
}
