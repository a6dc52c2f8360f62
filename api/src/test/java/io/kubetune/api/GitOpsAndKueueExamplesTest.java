package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kueue and GitOps examples: their kinds cannot be installed here (no Kueue, Argo CD or Flux
 * CRDs), so this checks what a user relies on: each file parses, the objects point at each other by
 * the right names, and the paths GitOps tools read exist in this repository.
 */
class GitOpsAndKueueExamplesTest {

    @Test
    void queuedFineTuneJobNamesTheLocalQueueWhichNamesTheClusterQueue() throws IOException {
        JsonNode clusterQueue = single(docs("kueue/cluster-queue.yaml"), "ClusterQueue");
        JsonNode flavor = single(docs("kueue/cluster-queue.yaml"), "ResourceFlavor");
        JsonNode localQueue = single(docs("kueue/local-queue.yaml"), "LocalQueue");
        FineTuneJob job =
                new KubernetesSerialization()
                        .unmarshal(
                                Files.readString(RepoFiles.example("kueue/finetunejob.yaml")),
                                FineTuneJob.class);

        assertThat(job.getSpec().queueName).isEqualTo(localQueue.at("/metadata/name").asText());
        assertThat(job.getMetadata().getNamespace())
                .isEqualTo(localQueue.at("/metadata/namespace").asText());
        assertThat(localQueue.at("/spec/clusterQueue").asText())
                .isEqualTo(clusterQueue.at("/metadata/name").asText());
        JsonNode flavors = clusterQueue.at("/spec/resourceGroups/0/flavors");
        assertThat(flavors.get(0).get("name").asText())
                .isEqualTo(flavor.at("/metadata/name").asText());
        // the quota covers what a trainer pod requests, GPUs included
        assertThat(clusterQueue.at("/spec/resourceGroups/0/coveredResources").toString())
                .contains("\"nvidia.com/gpu\"", "\"cpu\"", "\"memory\"");
        for (JsonNode doc : docs("kueue/cluster-queue.yaml")) {
            assertThat(doc.get("apiVersion").asText()).isEqualTo("kueue.x-k8s.io/v1beta1");
        }
        assertThat(
                        CrdSchema.of("finetunejobs")
                                .errors(
                                        CrdSchema.readYaml(
                                                RepoFiles.example("kueue/finetunejob.yaml"))))
                .isEmpty();
    }

    @Test
    void kustomizationListsExistingJobsAndNoSecrets() throws IOException {
        JsonNode kustomization = single(docs("kustomization.yaml"), "Kustomization");
        List<String> resources = new ArrayList<>();
        kustomization.get("resources").forEach(r -> resources.add(r.asText()));

        assertThat(resources).isNotEmpty();
        for (String resource : resources) {
            Path file = RepoFiles.example(resource);
            assertThat(file).exists();
            assertThat(docs(resource))
                    .allSatisfy(d -> assertThat(d.get("kind").asText()).isNotEqualTo("Secret"));
        }
    }

    @Test
    void argoCdApplicationsPointAtTheChartAndTheExamples() throws IOException {
        List<JsonNode> apps = docs("gitops/argocd-application.yaml");

        assertThat(apps)
                .allSatisfy(
                        a -> {
                            assertThat(a.get("apiVersion").asText())
                                    .isEqualTo("argoproj.io/v1alpha1");
                            assertThat(a.get("kind").asText()).isEqualTo("Application");
                            assertThat(RepoFiles.root().resolve(a.at("/spec/source/path").asText()))
                                    .isDirectory();
                        });
        assertThat(apps)
                .extracting(a -> a.at("/spec/source/path").asText())
                .containsExactlyInAnyOrder("charts/kubetune", "examples");
        JsonNode chartApp =
                apps.stream()
                        .filter(a -> a.at("/spec/source/path").asText().startsWith("charts"))
                        .findFirst()
                        .orElseThrow();
        // the values it sets are ones the chart has (the schema refuses unknown keys)
        String schema =
                Files.readString(RepoFiles.root().resolve("charts/kubetune/values.schema.json"));
        chartApp.at("/spec/source/helm/valuesObject")
                .fieldNames()
                .forEachRemaining(key -> assertThat(schema).contains("\"" + key + "\""));
    }

    @Test
    void fluxKustomizationReadsTheExamplesFromItsGitRepository() throws IOException {
        List<JsonNode> docs = docs("gitops/flux.yaml");
        JsonNode source = single(docs, "GitRepository");
        JsonNode kustomization = single(docs, "Kustomization");

        assertThat(kustomization.at("/spec/sourceRef/name").asText())
                .isEqualTo(source.at("/metadata/name").asText());
        assertThat(kustomization.at("/spec/sourceRef/kind").asText()).isEqualTo("GitRepository");
        Path path = RepoFiles.root().resolve(kustomization.at("/spec/path").asText()).normalize();
        assertThat(path.resolve("kustomization.yaml")).exists();
    }

    /** Every document of a multi-document YAML file under examples/. */
    private static List<JsonNode> docs(String name) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser =
                CrdSchema.YAML.getFactory().createParser(RepoFiles.example(name).toFile())) {
            CrdSchema.YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        docs.removeIf(d -> d == null || d.isNull() || d.isMissingNode());
        assertThat(docs).as(name).isNotEmpty();
        return docs;
    }

    private static JsonNode single(List<JsonNode> docs, String kind) {
        List<JsonNode> found =
                docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }
}
