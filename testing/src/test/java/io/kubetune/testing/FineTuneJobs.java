package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** FineTuneJob manifests (the kubetune CRD of crds/) as generic resources, for these tests. */
final class FineTuneJobs {
    static final ResourceDefinitionContext CONTEXT =
            new ResourceDefinitionContext.Builder()
                    .withGroup("kubetune.io")
                    .withVersion("v1alpha1")
                    .withKind("FineTuneJob")
                    .withPlural("finetunejobs")
                    .withNamespaced(true)
                    .build();

    private FineTuneJobs() {}

    static MixedOperation<
                    GenericKubernetesResource,
                    GenericKubernetesResourceList,
                    Resource<GenericKubernetesResource>>
            api(KubernetesClient client) {
        return client.genericKubernetesResources(CONTEXT);
    }

    /** A minimal valid FineTuneJob, with {@code specExtra} (YAML, indented 2) added to its spec. */
    static GenericKubernetesResource parse(KubernetesClient client, String name, String specExtra) {
        String yaml =
                """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %s
                spec:
                  model:
                    uri: hf://Qwen/Qwen2.5-0.5B-Instruct
                  datasets:
                  - uri: s3://datasets/alpaca/alpaca_data_cleaned.json
                    format: alpaca
                  output:
                    uri: s3://kubetune-runs/%s
                %s
                """
                        .formatted(
                                name,
                                name,
                                specExtra.isBlank() ? "  training:\n    epochs: 1" : specExtra);
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }
}
