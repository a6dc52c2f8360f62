package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * Creates children that are never updated: the Job of an attempt (its pod template is immutable and
 * a retry is a new Job), the job file (the spec is frozen once started) and the trainer's RBAC.
 *
 * <p>An existing object (409) is the idempotent case only when the job owns it (a reconcile
 * repeated after a restart or on a stale cache; names are deterministic). One that someone else
 * made is never used: a pre-existing ServiceAccount could carry more rights than the trainer's own.
 */
final class CreateOnly {
    private CreateOnly() {}

    /**
     * The created object; empty if {@code owner} already owns one of that name.
     *
     * @throws ResourceConflictException when an object of that name exists that {@code owner} does
     *     not control
     */
    static <T extends HasMetadata> Optional<T> create(
            KubernetesClient client, HasMetadata owner, T desired) {
        try {
            return Optional.of(client.resource(desired).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        HasMetadata existing = client.resource(desired).get();
        if (existing == null) {
            // deleted between our create and get (an older owner's child being collected)
            throw new ResourceConflictException(desired, "is being deleted; retrying");
        }
        if (!ownedBy(existing, owner)) {
            throw new ResourceConflictException(
                    existing,
                    "exists and is not owned by "
                            + owner.getKind()
                            + " "
                            + owner.getMetadata().getName()
                            + "; delete or rename it (the operator never uses an object it did not"
                            + " create)");
        }
        return Optional.empty();
    }

    /** Whether {@code owner} (this very object: its UID) is the controller of {@code child}. */
    static boolean ownedBy(HasMetadata child, HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        return uid != null
                && child.getMetadata().getOwnerReferences() != null
                && child.getMetadata().getOwnerReferences().stream()
                        .anyMatch(
                                r ->
                                        uid.equals(r.getUid())
                                                && Boolean.TRUE.equals(r.getController()));
    }
}
