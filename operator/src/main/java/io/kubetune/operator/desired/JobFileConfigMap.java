package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.TrainerContract;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ConfigMap that carries the job to the trainer: the whole resource as YAML under {@value
 * TrainerContract#JOB_FILE_KEY}, with only the metadata the trainer needs (name and namespace, to
 * patch its status; the uid, to tag its MLflow run) and without the status, which changes while it
 * runs.
 */
public final class JobFileConfigMap {
    private JobFileConfigMap() {}

    public static ConfigMap build(HasMetadata resource) {
        return new ConfigMapBuilder()
                .withMetadata(Owners.metadata(resource, Names.configMap(resource)))
                .addToData(TrainerContract.JOB_FILE_KEY, jobFile(resource))
                .build();
    }

    /** The job file's text. */
    @SuppressWarnings("unchecked")
    static String jobFile(HasMetadata resource) {
        Map<String, Object> full = Serialization.jsonMapper().convertValue(resource, Map.class);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", resource.getApiVersion());
        doc.put("kind", resource.getKind());
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", resource.getMetadata().getName());
        metadata.put("namespace", resource.getMetadata().getNamespace());
        if (resource.getMetadata().getUid() != null) {
            metadata.put("uid", resource.getMetadata().getUid());
        }
        doc.put("metadata", metadata);
        doc.put("spec", full.get("spec"));
        return Serialization.asYaml(doc);
    }
}
