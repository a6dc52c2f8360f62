package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Creates children that are never updated: the Job of an attempt (its pod template is immutable and
 * a retry is a new Job), the job file (the spec is frozen once started) and the trainer's RBAC. An
 * existing object (409) is the idempotent case: a reconcile repeated after a restart or on a stale
 * cache creates nothing twice, because names are deterministic.
 */
final class CreateOnly {
    private CreateOnly() {}

    /** True if created, false if it already existed. */
    static boolean create(KubernetesClient client, HasMetadata desired) {
        try {
            client.resource(desired).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }
}
