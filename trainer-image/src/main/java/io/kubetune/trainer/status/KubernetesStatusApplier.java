package io.kubetune.trainer.status;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubetune.api.v1alpha1.TrainerContract;
import java.util.Map;

/**
 * Server-side apply of the trainer's status fields on the status subresource, as field manager
 * {@value TrainerContract#TRAINER_FIELD_MANAGER}, forced: the trainer is the only writer of these
 * fields, and the operator's fields (state, conditions) are left to the operator.
 */
public final class KubernetesStatusApplier implements StatusApplier, AutoCloseable {
    private final KubernetesClient client;
    private final StatusTarget target;
    private final String namespace;

    public KubernetesStatusApplier(KubernetesClient client, StatusTarget target) {
        this.client = client;
        this.target = target;
        this.namespace = target.namespace() != null ? target.namespace() : client.getNamespace();
    }

    /**
     * A client configured as in a pod (KUBERNETES_SERVICE_HOST/PORT, the service-account token and
     * CA, KUBERNETES_NAMESPACE), with short timeouts and no retries of its own: a report that fails
     * is replaced by the next one rather than retried for minutes.
     */
    public static KubernetesStatusApplier inCluster(StatusTarget target) {
        Config config = Config.autoConfigure(null);
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(3_000);
        config.setRequestTimeout(10_000);
        return new KubernetesStatusApplier(
                new KubernetesClientBuilder().withConfig(config).build(), target);
    }

    @Override
    public void apply(Map<String, Object> status) {
        GenericKubernetesResource patch = new GenericKubernetesResource();
        patch.setApiVersion(target.type().getGroup() + "/" + target.type().getVersion());
        patch.setKind(target.type().getKind());
        patch.setMetadata(
                new ObjectMetaBuilder().withName(target.name()).withNamespace(namespace).build());
        patch.setAdditionalProperty("status", status);
        client.genericKubernetesResources(target.type())
                .inNamespace(namespace)
                .resource(patch)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager(TrainerContract.TRAINER_FIELD_MANAGER)
                                .withForce(true)
                                .build());
    }

    @Override
    public void close() {
        client.close();
    }
}
