package io.kubetune.trainer.status;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What the operator grants a trainer pod: its own ServiceAccount, allowed get and patch on the
 * status of its one resource (by name) and nothing else.
 */
final class TrainerRbac {
    private TrainerRbac() {}

    /** Creates ServiceAccount, Role and RoleBinding {@code <job>-trainer}; returns the SA name. */
    static String grant(KubernetesClient client, String plural, String job) {
        String name = job + "-trainer";
        client.serviceAccounts()
                .resource(
                        new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .build())
                .create();
        client.rbac()
                .roles()
                .resource(
                        new RoleBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .addNewRule()
                                .withApiGroups("kubetune.io")
                                .withResources(plural + "/status")
                                .withResourceNames(job)
                                .withVerbs("get", "patch")
                                .endRule()
                                .build())
                .create();
        client.rbac()
                .roleBindings()
                .resource(
                        new RoleBindingBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                                .addNewSubject()
                                .withKind("ServiceAccount")
                                .withName(name)
                                .withNamespace(client.getNamespace())
                                .endSubject()
                                .build())
                .create();
        return name;
    }

    /** A token of the service account, as the kubelet mints one for the pod. */
    static String token(KubernetesClient client, String serviceAccount) {
        return client.serviceAccounts()
                .withName(serviceAccount)
                .tokenRequest(
                        new TokenRequestBuilder()
                                .withNewSpec()
                                .withExpirationSeconds(3600L)
                                .endSpec()
                                .build())
                .getStatus()
                .getToken();
    }
}
