package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalTaskName;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.MethodType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The examples users copy must parse into the Java types, lose nothing, and be schema-valid. */
class ExamplesTest {
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void fineTuneJobExampleRoundTrips() throws IOException {
        String yaml = Files.readString(RepoFiles.example("finetunejob.yaml"));
        FineTuneJob job = serialization.unmarshal(yaml, FineTuneJob.class);

        assertThat(job.getSpec().model.uri).isEqualTo("hf://Qwen/Qwen2.5-0.5B-Instruct");
        assertThat(job.getSpec().datasets.get(0).format).isEqualTo(DataFormat.ALPACA);
        assertThat(job.getSpec().method.type).isEqualTo(MethodType.LORA);
        assertThat(job.getSpec().method.lora.r).isEqualTo(16);
        assertThat(job.getSpec().evaluation.tasks.get(0).name).isEqualTo(EvalTaskName.HELLASWAG);
        assertRoundTripKeepsEveryField(yaml, job);
    }

    @Test
    void evalJobExampleRoundTrips() throws IOException {
        String yaml = Files.readString(RepoFiles.example("evaljob.yaml"));
        EvalJob job = serialization.unmarshal(yaml, EvalJob.class);

        assertThat(job.getSpec().adapter.uri).startsWith("s3://");
        assertThat(job.getSpec().tasks).hasSize(1);
        assertRoundTripKeepsEveryField(yaml, job);
    }

    @Test
    void examplesAreValidAgainstTheCommittedCrds() {
        assertThat(
                        CrdSchema.of("finetunejobs")
                                .errors(CrdSchema.readYaml(RepoFiles.example("finetunejob.yaml"))))
                .isEmpty();
        assertThat(
                        CrdSchema.of("evaljobs")
                                .errors(CrdSchema.readYaml(RepoFiles.example("evaljob.yaml"))))
                .isEmpty();
    }

    /**
     * The local examples name their model and data (held-out data too) by paths relative to the
     * file (the command line resolves them); made absolute, as a cluster job's would be, they pass
     * the CRD's schema.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "local/finetunejob.yaml",
                "local/rm.yaml",
                "local/dpo.yaml",
                "local/inflection-sft.yaml",
                "local/grpo.yaml"
            })
    void localExamplesAreValidAndRoundTrip(String name) throws IOException {
        String yaml = Files.readString(RepoFiles.example(name));
        com.fasterxml.jackson.databind.node.ObjectNode spec =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        CrdSchema.readYaml(RepoFiles.example(name)).get("spec");
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec.get("model"))
                .put("uri", "/models/m");
        spec.get("datasets")
                .forEach(
                        d ->
                                ((com.fasterxml.jackson.databind.node.ObjectNode) d)
                                        .put("uri", "/data/d.jsonl"));
        if (spec.path("validation").has("uri")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) spec.get("validation"))
                    .put("uri", "/data/heldout.jsonl");
        }
        JsonNode resource = CrdSchema.readYaml(RepoFiles.example(name));
        ((com.fasterxml.jackson.databind.node.ObjectNode) resource).set("spec", spec);
        assertThat(CrdSchema.of("finetunejobs").errors(resource)).isEmpty();
        assertRoundTripKeepsEveryField(yaml, serialization.unmarshal(yaml, FineTuneJob.class));
    }

    /** Every field written in the YAML must come back out of the Java object unchanged. */
    private void assertRoundTripKeepsEveryField(String yaml, Object parsed) throws IOException {
        JsonNode original = CrdSchema.YAML.readTree(yaml);
        JsonNode written = CrdSchema.YAML.readTree(serialization.asYaml(parsed));
        assertContains(written, original, "");
        Object reparsed = serialization.unmarshal(serialization.asYaml(parsed), parsed.getClass());
        assertThat(CrdSchema.YAML.readTree(serialization.asYaml(reparsed))).isEqualTo(written);
    }

    private static void assertContains(JsonNode actual, JsonNode expected, String path) {
        if (expected.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String at = path + "." + field.getKey();
                assertThat(actual.has(field.getKey())).as("field %s was dropped", at).isTrue();
                assertContains(actual.get(field.getKey()), field.getValue(), at);
            }
        } else if (expected.isArray()) {
            assertThat(actual.size()).as("length of %s", path).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertContains(actual.get(i), expected.get(i), path + "[" + i + "]");
            }
        } else {
            assertThat(actual.asText()).as("value of %s", path).isEqualTo(expected.asText());
        }
    }
}
