package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Helm chart (charts/kubetune) as a user meets it: it lints, renders the operator with the
 * settings the operator reads, grants exactly the operator's rights, refuses wrong values naming
 * the field, and installs on the test environment's Kubernetes. Helm and kubectl are the ones
 * test-env/up.sh builds (pinned in test-env/versions.env). Here, in the api module, because the
 * chart ships this module's CRDs and the build order puts it before the operator.
 */
@RealCluster
class HelmChartIT {
    private static final String CHART = "charts/kubetune";

    /** The operator's rights: group, resources, verbs (the contract with the operator). */
    private static final Set<String> OPERATOR_RULES =
            Set.of(
                    "kubetune.io evaljobs,finetunejobs create,delete,get,list,watch",
                    "kubetune.io evaljobs/status,finetunejobs/status get,patch",
                    "kubetune.io evaljobs/finalizers,finetunejobs/finalizers update",
                    "batch jobs create,delete,get,list,patch,watch",
                    "core pods delete,get,list,watch",
                    "core configmaps,serviceaccounts create,get",
                    "rbac.authorization.k8s.io rolebindings,roles create,get",
                    "core events create");

    private final KubernetesClient client;
    private final String namespace;
    private final CommandLine helm;
    private final CommandLine kubectl;

    HelmChartIT(KubernetesClient client, TestNamespace namespace, TestEnvironment env)
            throws IOException {
        this.client = client;
        this.namespace = namespace.name();
        // Helm's cache and config in a temp folder: the test leaves the user's ~/.config alone.
        Path home = Files.createTempDirectory("kubetune-helm");
        Map<String, String> vars =
                Map.of(
                        "KUBECONFIG", env.kubeconfigPath().toString(),
                        "HELM_CACHE_HOME", home.resolve("cache").toString(),
                        "HELM_CONFIG_HOME", home.resolve("config").toString(),
                        "HELM_DATA_HOME", home.resolve("data").toString());
        this.helm = new CommandLine(env.helm(), vars);
        this.kubectl = new CommandLine(env.kubectl(), vars);
    }

    @Test
    void lintsCleanEvenWhenStrict() {
        assertThat(helm.ok(null, "lint", CHART).stdout()).contains("0 chart(s) failed");
        assertThat(helm.ok(null, "lint", "--strict", CHART).stdout()).contains("0 chart(s) failed");
    }

    @Test
    void defaultsRunTheOperatorWithItsSettingsProbesAndMetrics() {
        List<HasMetadata> objects = render();
        Container operator = operatorContainer(objects);

        assertThat(operator.getImage()).isEqualTo("kubetune/operator:0.1.0");
        assertThat(env(operator, "KUBETUNE_TRAINER_IMAGE")).isEqualTo("kubetune/trainer:0.1.0");
        assertThat(env(operator, "KUBETUNE_TRAINER_GPU_IMAGE")).isEmpty();
        assertThat(env(operator, "KUBETUNE_WATCH_NAMESPACES")).isEmpty();
        assertThat(env(operator, "KUBETUNE_POLICY_ALLOWED_IMAGES")).isEmpty();
        assertThat(env(operator, "KUBETUNE_LEADER_ELECTION_ENABLED")).isEqualTo("false");
        assertThat(env(operator, "QUARKUS_LOG_CONSOLE_JSON")).isEqualTo("true");
        EnvVar podNamespace = envVar(operator, "POD_NAMESPACE");
        assertThat(podNamespace.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");

        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(operator.getReadinessProbe().getHttpGet().getPath())
                .isEqualTo("/q/health/ready");
        assertThat(operator.getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
        Service metrics = single(objects, Service.class);
        assertThat(metrics.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
        assertThat(deployment(objects).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/q/metrics");
        // one replica: no leader election, so no Lease rights
        assertThat(ofKind(objects, Role.class)).isEmpty();
    }

    @Test
    void operatorRunsRestrictedWithAReadOnlyRootFilesystem() {
        Deployment deployment = deployment(render());
        var pod = deployment.getSpec().getTemplate().getSpec();
        SecurityContext sc = operatorContainer(List.of(deployment)).getSecurityContext();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void trainerImagesComeFromValues() {
        Container operator =
                operatorContainer(
                        render(
                                "--set", "trainer.image.repository=registry.example.com/ml/trainer",
                                "--set", "trainer.image.tag=2.0.0",
                                "--set",
                                        "trainer.gpuImage.repository=registry.example.com/ml/trainer-cuda",
                                "--set", "trainer.gpuImage.tag=2.0.0-cu128",
                                "--set", "policy.allowedImages={registry.example.com/ml/*}",
                                "--set", "policy.allowedTolerationKeys={nvidia.com/gpu}"));

        assertThat(env(operator, "KUBETUNE_TRAINER_IMAGE"))
                .isEqualTo("registry.example.com/ml/trainer:2.0.0");
        assertThat(env(operator, "KUBETUNE_TRAINER_GPU_IMAGE"))
                .isEqualTo("registry.example.com/ml/trainer-cuda:2.0.0-cu128");
        assertThat(env(operator, "KUBETUNE_POLICY_ALLOWED_IMAGES"))
                .isEqualTo("registry.example.com/ml/*");
        assertThat(env(operator, "KUBETUNE_POLICY_ALLOWED_TOLERATION_KEYS"))
                .isEqualTo("nvidia.com/gpu");
    }

    @Test
    void clusterRoleGrantsExactlyTheOperatorsRightsAndNoWildcards() {
        List<HasMetadata> objects = render();
        ClusterRole role = single(objects, ClusterRole.class);

        assertThat(rules(role.getRules())).containsExactlyInAnyOrderElementsOf(OPERATOR_RULES);
        ClusterRoleBinding binding = single(objects, ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.getKind()).isEqualTo("ServiceAccount");
                            assertThat(s.getName()).isEqualTo("kubetune");
                            assertThat(s.getNamespace()).isEqualTo("default");
                        });
        assertNoWildcards(objects);
    }

    @Test
    void watchNamespacesGrantRolesThereAndNoClusterRole() {
        List<HasMetadata> objects = render("--set", "watchNamespaces={team-a,team-b}");

        assertThat(ofKind(objects, ClusterRole.class)).isEmpty();
        assertThat(ofKind(objects, ClusterRoleBinding.class)).isEmpty();
        List<Role> roles = ofKind(objects, Role.class);
        assertThat(roles)
                .extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        roles.forEach(r -> assertThat(rules(r.getRules())).isEqualTo(OPERATOR_RULES));
        assertThat(ofKind(objects, RoleBinding.class))
                .extracting(b -> b.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(env(operatorContainer(objects), "KUBETUNE_WATCH_NAMESPACES"))
                .isEqualTo("team-a,team-b");
        assertNoWildcards(objects);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"replicas=2", "leaderElection.enabled=true"})
    void leaderElectionGetsALeaseRoleInTheReleaseNamespace(String setting) {
        List<HasMetadata> objects = render("--set", setting);

        assertThat(env(operatorContainer(objects), "KUBETUNE_LEADER_ELECTION_ENABLED"))
                .isEqualTo("true");
        Role lease = single(objects, Role.class);
        assertThat(lease.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(rules(lease.getRules()))
                .containsExactly("coordination.k8s.io leases create,get,update");
        assertThat(single(objects, RoleBinding.class).getRoleRef().getName())
                .isEqualTo(lease.getMetadata().getName());
    }

    @Test
    void serviceMonitorIsOptional() {
        assertThat(render()).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
        HasMetadata monitor =
                render("--set", "metrics.serviceMonitor.enabled=true").stream()
                        .filter(o -> o.getKind().equals("ServiceMonitor"))
                        .findFirst()
                        .orElseThrow();
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    }

    /** helm refuses values that break values.schema.json, and says which field is wrong. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "replicas=two, /replicas",
        "replica=2, replica",
        "watchNamespaces={Team_A}, /watchNamespaces/0",
        "logging.json=yes, /logging/json",
        "image.pullPolicy=Sometimes, /image/pullPolicy",
        "trainer.image.repository=, /trainer/image/repository",
        "trainer.gpuImag.repository=x, gpuImag"
    })
    void schemaRefusesWrongValuesNamingTheField(String setting, String field) {
        CommandLine.Result result = helm.run(null, "template", "kubetune", CHART, "--set", setting);

        assertThat(result.exitCode()).as(result.stdout()).isNotZero();
        assertThat(result.stderr())
                .contains("values don't meet the specifications")
                .contains(field);
    }

    @Test
    void renderedChartIsValidForTheApiServer() {
        for (String[] variant :
                new String[][] {
                    {"--namespace", namespace},
                    {
                        "--namespace",
                        namespace,
                        "--set",
                        "watchNamespaces={" + namespace + "}",
                        "--set",
                        "replicas=2"
                    }
                }) {
            String manifest = template(variant);
            CommandLine.Result dryRun =
                    kubectl.ok(
                            manifest,
                            "apply",
                            "--dry-run=server",
                            "--validate=strict",
                            "-n",
                            namespace,
                            "-f",
                            "-");
            long objects = render(variant).size();
            assertThat(dryRun.stdout().lines().filter(l -> l.endsWith("(server dry run)")))
                    .hasSize((int) objects);
        }
    }

    /**
     * Installed for real (in this class's namespace, rights limited to it), the operator's service
     * account can create each job's trainer Role, which Kubernetes allows only if it holds every
     * right it grants, and it can touch neither Secrets nor Deployments.
     */
    @Test
    void installedOperatorMayCreateTheTrainersRoleAndNothingBeyondItsRules() {
        helm.ok(
                null,
                "install",
                "kubetune",
                CHART,
                "-n",
                namespace,
                // the test environment already has the CRDs (applied from crds/, the same files)
                "--skip-crds",
                "--set",
                "watchNamespaces={" + namespace + "}");
        try {
            String sa = "system:serviceaccount:" + namespace + ":kubetune";
            assertThat(canI(sa, "create", "jobs.batch")).isTrue();
            assertThat(canI(sa, "patch", "finetunejobs.kubetune.io", "--subresource=status"))
                    .isTrue();
            assertThat(canI(sa, "get", "secrets")).isFalse();
            assertThat(canI(sa, "create", "deployments.apps")).isFalse();
            assertThat(canI(sa, "create", "jobs.batch", "-n", "default")).isFalse();

            String trainerRole =
                    """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata:
                      name: kubetune-trainer-example
                    rules:
                      - apiGroups: ["kubetune.io"]
                        resources: ["finetunejobs/status", "evaljobs/status"]
                        verbs: ["get", "patch"]
                    """;
            kubectl.ok(trainerRole, "create", "-n", namespace, "--as=" + sa, "-f", "-");
            assertThat(
                            client.rbac()
                                    .roles()
                                    .inNamespace(namespace)
                                    .withName("kubetune-trainer-example")
                                    .get())
                    .isNotNull();
        } finally {
            helm.ok(null, "uninstall", "kubetune", "-n", namespace);
        }
    }

    private boolean canI(String user, String verb, String resource, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of("auth", "can-i", verb, resource, "--as=" + user, "-n", namespace));
        args.addAll(List.of(more));
        // exit 0 and "yes", or exit 1 and "no"
        return kubectl.run(null, args.toArray(String[]::new)).stdout().trim().equals("yes");
    }

    private String template(String... values) {
        List<String> args = new ArrayList<>(List.of("template", "kubetune", CHART));
        args.addAll(List.of(values));
        return helm.ok(null, args.toArray(String[]::new)).stdout();
    }

    private List<HasMetadata> render(String... values) {
        String yaml = template(values);
        return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }

    private static Deployment deployment(List<HasMetadata> objects) {
        return single(objects, Deployment.class);
    }

    private static Container operatorContainer(List<HasMetadata> objects) {
        return deployment(objects).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("operator"))
                .findFirst()
                .orElseThrow();
    }

    private static EnvVar envVar(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env var " + name + " in " + c.getEnv()));
    }

    private static String env(Container c, String name) {
        String value = envVar(c, name).getValue();
        return value == null ? "" : value;
    }

    private static <T> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T> T single(List<HasMetadata> objects, Class<T> type) {
        List<T> found = ofKind(objects, type);
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    /** Each rule as "group resources verbs" with sorted lists; the core group written "core". */
    private static Set<String> rules(List<PolicyRule> rules) {
        return rules.stream()
                .map(
                        r ->
                                String.join(",", sorted(r.getApiGroups()))
                                        + " "
                                        + String.join(",", sorted(r.getResources()))
                                        + " "
                                        + String.join(",", sorted(r.getVerbs())))
                .map(s -> s.startsWith(" ") ? "core" + s : s)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    private static void assertNoWildcards(List<HasMetadata> objects) {
        List<PolicyRule> all = new ArrayList<>();
        ofKind(objects, ClusterRole.class).forEach(r -> all.addAll(r.getRules()));
        ofKind(objects, Role.class).forEach(r -> all.addAll(r.getRules()));
        assertThat(all).isNotEmpty();
        for (PolicyRule r : all) {
            assertThat(r.getVerbs()).doesNotContain("*");
            assertThat(r.getResources()).doesNotContain("*");
            assertThat(r.getApiGroups()).doesNotContain("*");
        }
    }
}
