package io.kubetune.trainer.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The resource whose status the trainer writes: its kind (from the job file), name and namespace
 * (from the job file's metadata, else the pod's namespace).
 *
 * @param namespace null means the client's namespace (KUBERNETES_NAMESPACE or the service
 *     account's)
 */
public record StatusTarget(ResourceDefinitionContext type, String namespace, String name) {
    public static StatusTarget of(HasMetadata resource) {
        if (resource.getMetadata() == null || resource.getMetadata().getName() == null) {
            throw new IllegalArgumentException(
                    "metadata.name is missing in the job file: the trainer reports status to the"
                            + " resource of that name");
        }
        return new StatusTarget(
                ResourceDefinitionContext.fromResourceType(resource.getClass()),
                resource.getMetadata().getNamespace(),
                resource.getMetadata().getName());
    }

    @Override
    public String toString() {
        return type.getPlural() + "/" + name + (namespace == null ? "" : " in " + namespace);
    }
}
