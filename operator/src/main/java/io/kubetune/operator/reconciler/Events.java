package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/** core/v1 Events on a job, the ones {@code kubectl describe} shows. */
final class Events {
    private static final Logger LOG = Logger.getLogger(Events.class);
    static final String COMPONENT = "kubetune-operator";

    private Events() {}

    static void warning(KubernetesClient client, HasMetadata about, String reason, String message) {
        emit(client, about, "Warning", reason, message);
    }

    static void normal(KubernetesClient client, HasMetadata about, String reason, String message) {
        emit(client, about, "Normal", reason, message);
    }

    private static void emit(
            KubernetesClient client,
            HasMetadata about,
            String type,
            String reason,
            String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1()
                    .events()
                    .inNamespace(about.getMetadata().getNamespace())
                    .resource(
                            new EventBuilder()
                                    .withNewMetadata()
                                    .withGenerateName(about.getMetadata().getName() + ".")
                                    .withNamespace(about.getMetadata().getNamespace())
                                    .endMetadata()
                                    .withNewInvolvedObject()
                                    .withApiVersion(about.getApiVersion())
                                    .withKind(about.getKind())
                                    .withName(about.getMetadata().getName())
                                    .withNamespace(about.getMetadata().getNamespace())
                                    .withUid(about.getMetadata().getUid())
                                    .endInvolvedObject()
                                    .withType(type)
                                    .withReason(reason)
                                    .withMessage(message)
                                    .withFirstTimestamp(now)
                                    .withLastTimestamp(now)
                                    .withCount(1)
                                    .withNewSource()
                                    .withComponent(COMPONENT)
                                    .endSource()
                                    .build())
                    .create();
        } catch (KubernetesClientException e) {
            // an event is worth less than the reconcile it would fail
            LOG.warnf(
                    "could not record event %s on %s: %s",
                    reason, about.getMetadata().getName(), e.getMessage());
        }
    }
}
