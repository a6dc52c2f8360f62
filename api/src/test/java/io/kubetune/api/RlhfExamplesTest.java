package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * examples/rlhf/: the kustomization lists only jobs the CRD accepts, and the jobs name each other
 * as the pipeline runs: sft, then rm from the sft model, then ppo (sft's model against rm) and grpo
 * (sft's model), every dependency merging its model so that it has one to hand on.
 */
class RlhfExamplesTest {
    @Test
    void theListedJobsAreAcceptedByTheCrdAndNoSecretIsListed() {
        for (String resource : resources()) {
            JsonNode job = CrdSchema.readYaml(RepoFiles.example("rlhf/" + resource));
            assertThat(job.get("kind").asText()).isEqualTo("FineTuneJob");
            assertThat(CrdSchema.of("finetunejobs").errors(job)).as(resource).isEmpty();
        }
        assertThat(resources()).contains("sft.yaml", "rm.yaml", "ppo.yaml", "grpo.yaml");
    }

    @Test
    void theJobsFeedEachOtherSftRmPpoAndSftGrpo() {
        JsonNode sft = job("sft.yaml");
        JsonNode rm = job("rm.yaml");
        JsonNode ppo = job("ppo.yaml");
        JsonNode grpo = job("grpo.yaml");

        assertThat(sft.at("/spec/model/uri").asText()).startsWith("hf://");
        assertThat(List.of(sft, rm, ppo, grpo))
                .extracting(j -> j.at("/spec/stage").asText())
                .containsExactly("sft", "rm", "ppo", "grpo");
        assertThat(rm.at("/spec/model/fineTuneJobRef/name").asText()).isEqualTo(name(sft));
        assertThat(ppo.at("/spec/model/fineTuneJobRef/name").asText()).isEqualTo(name(sft));
        assertThat(ppo.at("/spec/rewardModel/fineTuneJobRef/name").asText()).isEqualTo(name(rm));
        assertThat(grpo.at("/spec/model/fineTuneJobRef/name").asText()).isEqualTo(name(sft));
        for (JsonNode dependency : List.of(sft, rm)) {
            assertThat(dependency.at("/spec/output/mergeModel").asBoolean())
                    .as("%s hands on a merged model", name(dependency))
                    .isTrue();
        }
    }

    @Test
    void thePpoJobsSettingsAreTheCrdsFields() {
        // Every field of spec.ppo the example sets is in the schema.
        JsonNode ppo = job("ppo.yaml");
        JsonNode fields =
                CrdSchema.readYaml(RepoFiles.crd("finetunejobs"))
                        .at(
                                "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties"
                                        + "/ppo/properties");
        assertThat(ppo.at("/spec/ppo").size()).isGreaterThan(5);
        ppo.at("/spec/ppo")
                .fieldNames()
                .forEachRemaining(f -> assertThat(fields.has(f)).as(f).isTrue());
        assertThat(CrdSchema.of("finetunejobs").errors(ppo)).isEmpty();
    }

    private static List<String> resources() {
        JsonNode kustomization = CrdSchema.readYaml(RepoFiles.example("rlhf/kustomization.yaml"));
        List<String> resources = new ArrayList<>();
        kustomization.get("resources").forEach(r -> resources.add(r.asText()));
        return resources;
    }

    private static JsonNode job(String file) {
        return CrdSchema.readYaml(RepoFiles.example("rlhf/" + file));
    }

    private static String name(JsonNode job) {
        return job.at("/metadata/name").asText();
    }
}
