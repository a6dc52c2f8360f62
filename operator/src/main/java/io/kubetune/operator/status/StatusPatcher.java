package io.kubetune.operator.status;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.JobStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the operator's part of a status by server-side apply with its own field manager, only when
 * it changed. The trainer's fields are never sent: SSA leaves fields that another manager owns
 * alone, and removes those this manager stops sending, so sending the trainer's would take them
 * over.
 */
public final class StatusPatcher {
    /** Field manager of the operator's status patches. */
    public static final String FIELD_MANAGER = "kubetune-operator";

    private final Set<String> trainerFields;

    /**
     * @param trainerFields status fields the trainer owns (never sent, never compared)
     */
    public StatusPatcher(Set<String> trainerFields) {
        this.trainerFields = Set.copyOf(trainerFields);
    }

    /** The operator-owned fields of a status, as JSON would have them. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> ownFields(JobStatus status) {
        if (status == null) {
            return Map.of();
        }
        Map<String, Object> map =
                new LinkedHashMap<>(Serialization.jsonMapper().convertValue(status, Map.class));
        trainerFields.forEach(map::remove);
        map.values().removeIf(Objects::isNull);
        return map;
    }

    /** Applies {@code desired} if its operator fields differ from {@code current}'s; true if so. */
    public boolean patchIfChanged(
            KubernetesClient client,
            CustomResource<?, ? extends JobStatus> resource,
            JobStatus desired) {
        Map<String, Object> wanted = ownFields(desired);
        if (wanted.equals(ownFields(resource.getStatus()))) {
            return false;
        }
        GenericKubernetesResource patch = new GenericKubernetesResource();
        patch.setApiVersion(resource.getApiVersion());
        patch.setKind(resource.getKind());
        patch.setMetadata(
                new ObjectMetaBuilder()
                        .withName(resource.getMetadata().getName())
                        .withNamespace(resource.getMetadata().getNamespace())
                        .build());
        patch.setAdditionalProperty("status", wanted);
        try {
            client.genericKubernetesResources(
                            ResourceDefinitionContext.fromResourceType(resource.getClass()))
                    .inNamespace(resource.getMetadata().getNamespace())
                    .resource(patch)
                    .subresource("status")
                    .patch(
                            new PatchContext.Builder()
                                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                    .withFieldManager(FIELD_MANAGER)
                                    .withForce(true)
                                    .build());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false; // deleted meanwhile: nothing to report on
            }
            throw e;
        }
        return true;
    }
}
