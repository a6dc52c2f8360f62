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
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.kubetune.api.v1alpha1.JobStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /** What this operator last wrote, by resource UID, with the resourceVersion it produced. */
    private record Written(String resourceVersion, Map<String, Object> own) {}

    private final Map<String, Written> written = new ConcurrentHashMap<>();

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

    /**
     * The resource's status as the operator last left it: the informer's copy can be older than the
     * operator's last patch (a reconcile triggered by a Job event right after it), and building on
     * it would write stale conditions back. The trainer's fields come from the resource.
     */
    @SuppressWarnings("unchecked")
    public <S extends JobStatus> S freshest(
            CustomResource<?, ? extends JobStatus> resource, Class<S> statusType) {
        Map<String, Object> status =
                resource.getStatus() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(
                                Serialization.jsonMapper()
                                        .convertValue(resource.getStatus(), Map.class));
        Written last = newerWrite(resource);
        if (last != null) {
            status.keySet().removeIf(k -> !trainerFields.contains(k));
            status.putAll(last.own());
        }
        return Serialization.jsonMapper().convertValue(status, statusType);
    }

    /** Forgets a deleted resource. */
    public void forget(CustomResource<?, ? extends JobStatus> resource) {
        if (resource.getMetadata().getUid() != null) {
            written.remove(resource.getMetadata().getUid());
        }
    }

    private Written newerWrite(CustomResource<?, ? extends JobStatus> resource) {
        String uid = resource.getMetadata().getUid();
        Written last = uid == null ? null : written.get(uid);
        if (last == null || resource.getMetadata().getResourceVersion() == null) {
            return null;
        }
        try {
            return PrimaryUpdateAndCacheUtils.compareResourceVersions(
                                    last.resourceVersion(),
                                    resource.getMetadata().getResourceVersion())
                            > 0
                    ? last
                    : null;
        } catch (RuntimeException e) {
            return null; // not comparable: trust the informer
        }
    }

    /** Applies {@code desired} if its operator fields differ from {@code current}'s; true if so. */
    public boolean patchIfChanged(
            KubernetesClient client,
            CustomResource<?, ? extends JobStatus> resource,
            JobStatus desired) {
        Map<String, Object> wanted = ownFields(desired);
        Written last = newerWrite(resource);
        if (wanted.equals(last != null ? last.own() : ownFields(resource.getStatus()))) {
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
        GenericKubernetesResource applied;
        try {
            applied =
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
        if (applied != null && resource.getMetadata().getUid() != null) {
            written.put(
                    resource.getMetadata().getUid(),
                    new Written(applied.getMetadata().getResourceVersion(), wanted));
        }
        return true;
    }
}
