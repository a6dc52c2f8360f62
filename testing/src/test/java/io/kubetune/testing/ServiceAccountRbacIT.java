package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Service-account tokens and RBAC are real: a pod run by the {@link TestPodRunner} calls the API
 * server with its mounted (bound, signed) token and is refused until a RoleBinding allows it.
 */
@RealCluster(applyRepoCrds = false)
class ServiceAccountRbacIT {

    private static final String CALL_API =
            "curl -s -o /dev/null -w '%{http_code}'"
                    + " --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
                    + " -H \"Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)\""
                    + " https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$(cat"
                    + " /var/run/secrets/kubernetes.io/serviceaccount/namespace)/pods"
                    + " > /dev/termination-log";

    @Test
    void podTokenIsRefusedWithoutRbacAndAllowedWithIt(
            KubernetesClient client, TestPodRunner runner) {
        client.serviceAccounts()
                .resource(
                        new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName("reader")
                                .endMetadata()
                                .build())
                .create();

        assertThat(runPod(client, "before-binding")).isEqualTo("403");

        client.rbac()
                .roles()
                .resource(
                        new RoleBuilder()
                                .withNewMetadata()
                                .withName("pod-reader")
                                .endMetadata()
                                .addNewRule()
                                .withApiGroups("")
                                .withResources("pods")
                                .withVerbs("list")
                                .endRule()
                                .build())
                .create();
        client.rbac()
                .roleBindings()
                .resource(
                        new RoleBindingBuilder()
                                .withNewMetadata()
                                .withName("reader-reads-pods")
                                .endMetadata()
                                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "pod-reader")
                                .addNewSubject()
                                .withKind("ServiceAccount")
                                .withName("reader")
                                .withNamespace(client.getNamespace())
                                .endSubject()
                                .build())
                .create();

        assertThat(runPod(client, "after-binding")).isEqualTo("200");
    }

    private static String runPod(KubernetesClient client, String name) {
        client.pods()
                .resource(
                        new PodBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .addToLabels(TestPodRunner.MANAGED_BY_LABEL, "kubetune")
                                .endMetadata()
                                .withNewSpec()
                                .withServiceAccountName("reader")
                                .withRestartPolicy("Never")
                                .addNewContainer()
                                .withName("main")
                                .withImage("curlimages/curl")
                                .withCommand("sh", "-c", CALL_API)
                                .endContainer()
                                .endSpec()
                                .build())
                .create();
        Pod done =
                client.pods()
                        .withName(name)
                        .waitUntilCondition(
                                p ->
                                        p != null
                                                && p.getStatus() != null
                                                && ("Succeeded".equals(p.getStatus().getPhase())
                                                        || "Failed"
                                                                .equals(p.getStatus().getPhase())),
                                60,
                                TimeUnit.SECONDS);
        assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
        return done.getStatus()
                .getContainerStatuses()
                .get(0)
                .getState()
                .getTerminated()
                .getMessage();
    }
}
