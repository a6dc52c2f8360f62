package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.trainer.train.stage.Stages;
import java.util.List;

/**
 * What this trainer version adds to the CRD's rules for a spec the API server accepts: the stage
 * must be one it runs, with settings its stage can run (each stage's own check).
 */
final class TrainerChecks {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private TrainerChecks() {}

    static List<SpecProblem> check(YamlDocument file, String kind, JsonNode resource) {
        if (!kind.equals("FineTuneJob")) {
            return List.of();
        }
        FineTuneJob job;
        try {
            job = JSON.convertValue(resource, FineTuneJob.class);
        } catch (IllegalArgumentException e) {
            return List.of(); // the CRD accepts it; reading it for the run will say what is wrong
        }
        try {
            Stages.validate(job.getSpec());
            return List.of();
        } catch (IllegalArgumentException e) { // UserInputException included
            return List.of(problem(file, e.getMessage()));
        }
    }

    /** "spec.stage: dpo is not run ..." names spec.stage. */
    private static SpecProblem problem(YamlDocument file, String message) {
        int colon = message.indexOf(": ");
        boolean named =
                message.startsWith("spec")
                        && colon > 0
                        && !message.substring(0, colon).contains(" ");
        String field = named ? message.substring(0, colon) : "spec";
        String text = named ? message.substring(colon + 2) : message;
        return new SpecProblem(file.lineOf(field), field, text);
    }
}
