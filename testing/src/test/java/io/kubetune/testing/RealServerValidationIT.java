package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.util.HashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Specs that the Fabric8 mock server (CRUD mode) stores without a word are refused by the real API
 * server, which names the field: OpenAPI type and enum errors and a CEL rule of the kubetune CRDs
 * in crds/.
 */
@RealCluster
class RealServerValidationIT {

    private static KubernetesMockServer mockServer;
    private static NamespacedKubernetesClient mock;

    @BeforeAll
    static void startMock(TestEnvironment env) throws Exception {
        mockServer =
                new KubernetesMockServer(
                        new Context(),
                        new MockWebServer(),
                        new HashMap<>(),
                        new KubernetesCrudDispatcher(),
                        false);
        mockServer.init();
        mock = mockServer.createClient();
        byte[] crd =
                Files.readAllBytes(env.repoRoot().resolve("crds/finetunejobs.kubetune.io-v1.yml"));
        mock.load(new java.io.ByteArrayInputStream(crd)).create();
    }

    @AfterAll
    static void stopMock() {
        if (mock != null) {
            mock.close();
        }
        if (mockServer != null) {
            mockServer.destroy();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what is wrong             | spec lines (\\n = newline)                                 | expected in the error
            OpenAPI type: string epochs | '  training:\\n    epochs: many'                            | spec.training.epochs
            OpenAPI type: string epochs | '  training:\\n    epochs: many'                            | must be of type integer
            OpenAPI enum: stage         | '  training:\\n    epochs: 1\\n  stage: pretraining'        | spec.stage: Unsupported value: "pretraining"
            OpenAPI minimum: backoff    | '  training:\\n    epochs: 1\\n  backoffLimit: -1'          | spec.backoffLimit
            CEL rule: lora without type | '  training:\\n    epochs: 1\\n  method:\\n    type: full\\n    lora:\\n      r: 8' | method.lora is only allowed when method.type is lora
            CEL rule: lora without type | '  training:\\n    epochs: 1\\n  method:\\n    type: full\\n    lora:\\n      r: 8' | spec.method
            CEL rule: epochs and steps  | '  training:\\n    epochs: 1\\n    maxSteps: 10'           | set exactly one of training.epochs or training.maxSteps
            """)
    void mockAcceptsRealServerRefusesNamingTheField(
            String what, String specLines, String expected, KubernetesClient client) {
        String spec = specLines.replace("\\n", "\n");
        String name =
                "bad-" + Integer.toHexString((what + specLines + expected).hashCode() & 0xfffffff);

        GenericKubernetesResource onMock =
                FineTuneJobs.api(mock)
                        .inNamespace("test")
                        .resource(FineTuneJobs.parse(mock, name, spec))
                        .create();
        assertThat(onMock.getMetadata().getUid()).as("the mock stores it").isNotNull();

        assertThatThrownBy(
                        () ->
                                FineTuneJobs.api(client)
                                        .resource(FineTuneJobs.parse(client, name, spec))
                                        .create())
                .as(what)
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(
                        e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(expected);
    }
}
