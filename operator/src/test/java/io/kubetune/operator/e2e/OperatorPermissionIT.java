package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.awaitState;
import static io.kubetune.operator.e2e.Jobs.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kubetune.api.v1alpha1.ConditionTypes;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.operator.lifecycle.OperatorReasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator runs as a service account with the chart's Role but one permission: a job it cannot
 * carry out says so on its status (Reconciled False, PermissionDenied, the API server's words) and
 * in a Warning event, and goes on once the permission is granted.
 */
@RealCluster
class OperatorPermissionIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String ACCOUNT = "kubetune-operator";

    static KubernetesClient client;
    static FakeTrainerCluster cluster;

    /** The chart's rules (charts/kubetune/templates/_helpers.tpl), rolebindings: get only. */
    static List<PolicyRule> rules(boolean mayBindRoles) {
        List<PolicyRule> r = new ArrayList<>();
        r.add(
                rule(
                        "kubetune.io",
                        List.of("finetunejobs", "evaljobs"),
                        "get",
                        "list",
                        "watch",
                        "create",
                        "delete"));
        r.add(
                rule(
                        "kubetune.io",
                        List.of("finetunejobs/status", "evaljobs/status"),
                        "get",
                        "patch"));
        r.add(
                rule(
                        "kubetune.io",
                        List.of("finetunejobs/finalizers", "evaljobs/finalizers"),
                        "update"));
        r.add(rule("batch", List.of("jobs"), "get", "list", "watch", "create", "patch", "delete"));
        r.add(rule("", List.of("pods"), "get", "list", "watch", "delete"));
        r.add(rule("", List.of("configmaps", "serviceaccounts"), "get", "create"));
        r.add(rule("rbac.authorization.k8s.io", List.of("roles"), "get", "create"));
        r.add(
                mayBindRoles
                        ? rule(
                                "rbac.authorization.k8s.io",
                                List.of("rolebindings"),
                                "get",
                                "create")
                        : rule("rbac.authorization.k8s.io", List.of("rolebindings"), "get"));
        r.add(rule("", List.of("events"), "create"));
        return r;
    }

    static PolicyRule rule(String group, List<String> resources, String... verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(group)
                .withResources(resources)
                .withVerbs(verbs)
                .build();
    }

    static Role role(boolean mayBindRoles) {
        return new RoleBuilder()
                .withNewMetadata()
                .withName(ACCOUNT)
                .endMetadata()
                .withRules(rules(mayBindRoles))
                .build();
    }

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns) {
        client = c;
        c.resource(
                        new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName(ACCOUNT)
                                .endMetadata()
                                .build())
                .create();
        c.resource(role(false)).create();
        c.resource(
                        new RoleBindingBuilder()
                                .withNewMetadata()
                                .withName(ACCOUNT)
                                .endMetadata()
                                .withNewRoleRef()
                                .withApiGroup("rbac.authorization.k8s.io")
                                .withKind("Role")
                                .withName(ACCOUNT)
                                .endRoleRef()
                                .addNewSubject()
                                .withKind("ServiceAccount")
                                .withName(ACCOUNT)
                                .withNamespace(ns.name())
                                .endSubject()
                                .build())
                .create();
        KubernetesClient asOperator =
                new KubernetesClientBuilder()
                        .withConfig(
                                new ConfigBuilder(TestEnvironment.get().config(ns.name()))
                                        .withImpersonateUsername(
                                                "system:serviceaccount:"
                                                        + ns.name()
                                                        + ":"
                                                        + ACCOUNT)
                                        .build())
                        .build();
        cluster = FakeTrainerCluster.start(c, ns.name(), asOperator);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void missingPermissionIsOnTheStatusAndRecoversOnceGranted() {
        client.resource(fake("unbound", "succeed", "")).create();

        FineTuneJob refused =
                Jobs.await(
                        client,
                        "unbound",
                        TIMEOUT,
                        j ->
                                j.getStatus() != null
                                        && OperatorReasons.PERMISSION_DENIED.equals(reason(j)));

        assertThat(message(refused))
                .contains("rolebindings")
                .contains("system:serviceaccount:")
                .contains("grant the operator's service account");
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.warnings(client, "unbound").stream()
                                .anyMatch(
                                        e ->
                                                OperatorReasons.PERMISSION_DENIED.equals(
                                                        e.getReason())),
                () -> "no Warning event: " + Jobs.warnings(client, "unbound"));
        assertThat(Jobs.jobsOf(client, "unbound")).isEmpty();

        client.rbac()
                .roles()
                .withName(ACCOUNT)
                .edit(r -> new RoleBuilder(r).withRules(rules(true)).build());

        FineTuneJob done = awaitState(client, "unbound", JobState.Succeeded, TIMEOUT);
        assertThat(reason(done)).isEqualTo(OperatorReasons.RECONCILED);
    }

    private static String reason(FineTuneJob j) {
        return j.getStatus().conditions.stream()
                .filter(c -> ConditionTypes.RECONCILED.equals(c.getType()))
                .map(c -> c.getReason())
                .findFirst()
                .orElse(null);
    }

    private static String message(FineTuneJob j) {
        return j.getStatus().conditions.stream()
                .filter(c -> ConditionTypes.RECONCILED.equals(c.getType()))
                .map(c -> c.getMessage())
                .findFirst()
                .orElse("");
    }
}
