package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The status of a FineTuneJob (kubetune CRD from crds/) patched by server-side apply on the status
 * subresource, as JOSDK 5 does: ownership per field manager, removal of fields a manager stops
 * applying, conflicts between managers, and the CEL transition rule that freezes the spec once
 * status.startTime is set. The Fabric8 mock answers server-side apply with 404/415.
 */
@RealCluster
class ServerSideApplyStatusIT {

    private static final String OPERATOR = "kubetune-operator";

    private static GenericKubernetesResource applyStatus(
            KubernetesClient client,
            String name,
            String manager,
            boolean force,
            Map<String, Object> status) {
        GenericKubernetesResource patch = new GenericKubernetesResource();
        patch.setApiVersion("kubetune.io/v1alpha1");
        patch.setKind("FineTuneJob");
        patch.setMetadata(
                new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        patch.setAdditionalProperty("status", status);
        return FineTuneJobs.api(client)
                .resource(patch)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager(manager)
                                .withForce(force)
                                .build());
    }

    @Test
    void statusPatchedByServerSideApply(KubernetesClient client) {
        String name = "ssa-status";
        FineTuneJobs.api(client).resource(FineTuneJobs.parse(client, name, "")).create();
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

        GenericKubernetesResource applied =
                applyStatus(
                        client,
                        name,
                        OPERATOR,
                        true,
                        Map.of(
                                "state",
                                "Running",
                                "startTime",
                                started,
                                "observedGeneration",
                                1,
                                "progress",
                                Map.of("step", 10, "totalSteps", 100, "percent", 10)));

        Map<String, Object> status = applied.get("status");
        assertThat(status).containsEntry("state", "Running").containsEntry("startTime", started);
        assertThat(applied.getMetadata().getManagedFields())
                .anySatisfy(
                        (ManagedFieldsEntry f) -> {
                            assertThat(f.getManager()).isEqualTo(OPERATOR);
                            assertThat(f.getOperation()).isEqualTo("Apply");
                            assertThat(f.getSubresource()).isEqualTo("status");
                        });
        // the spec is untouched and defaulted by the real server (backoffLimit default 3)
        assertThat((Object) applied.get("spec", "backoffLimit")).isEqualTo(3);

        // a second apply by the same manager without "progress": SSA removes what it no longer owns
        GenericKubernetesResource second =
                applyStatus(
                        client,
                        name,
                        OPERATOR,
                        true,
                        Map.of("state", "Running", "startTime", started));
        Map<String, Object> status2 = second.get("status");
        assertThat(status2).containsEntry("state", "Running").doesNotContainKey("progress");

        // another manager changing a field the operator owns, without force: a conflict
        assertThatThrownBy(
                        () ->
                                applyStatus(
                                        client,
                                        name,
                                        "someone-else",
                                        false,
                                        Map.of("state", "Failed")))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(
                        e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409))
                .hasMessageContaining("conflict");

        // an invalid status is refused with the field named (status.state is an enum)
        assertThatThrownBy(
                        () ->
                                applyStatus(
                                        client, name, OPERATOR, true, Map.of("state", "Exploded")))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("status.state");

        // the CEL transition rule: once status.startTime is set the spec is frozen
        assertThatThrownBy(
                        () ->
                                FineTuneJobs.api(client)
                                        .withName(name)
                                        .edit(
                                                r -> {
                                                    Map<String, Object> training =
                                                            r.get("spec", "training");
                                                    training.put("epochs", 2);
                                                    return r;
                                                }))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec is immutable once the job has started");
    }
}
