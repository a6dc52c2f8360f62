package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PreferenceSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TinyJob;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole stage-kto job, full fine-tuning (reference: a frozen copy loaded by the run),
 * undesirableWeight 1.5, batches of 4 read in order, constant rate, template none: its per-step
 * losses and KL estimates are TRL 1.16 KTOTrainer's (fixtures/kto, run kto-full).
 */
class KtoJobTest {
    @TempDir Path dir;

    @Test
    void fullFineTuningJobReproducesTrlsLosses() throws Exception {
        JsonNode expected =
                new ObjectMapper()
                        .readTree(KtoParityTest.DIR.resolve("reference.json").toFile())
                        .get("runs")
                        .get("kto-full")
                        .get("steps");
        TinyJob.Ran ran =
                TinyJob.run(
                        spec(expected.size()),
                        PreferenceFixtures.LLAMA,
                        KtoParityTest.DIR.resolve("feedback.jsonl"),
                        dir.resolve("out"));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(outcome.finished()).isTrue();
        assertThat(steps).hasSize(expected.size());
        for (int i = 0; i < steps.size(); i++) {
            for (String name : List.of("loss", "kl")) {
                double want = expected.get(i).get(name).asDouble();
                double ours =
                        name.equals("loss")
                                ? steps.get(i).loss()
                                : steps.get(i).metrics().get(name);
                assertThat(ours)
                        .as("%s at step %d", name, i + 1)
                        .isCloseTo(want, within(i == 0 ? 1e-5 : 1e-3 * Math.abs(want) + 1e-5));
            }
        }
    }

    private static FineTuneJobSpec spec(int steps) {
        FineTuneJobSpec spec =
                TinyJob.spec(Stage.KTO, DataFormat.KTO, "feedback.jsonl", steps, 4, "1e-3");
        spec.method.type = MethodType.FULL;
        spec.preference = new PreferenceSpec();
        spec.preference.undesirableWeight = "1.5";
        return spec;
    }
}
