package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TinyJob;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole stage-dpo job, full fine-tuning, one batch holding the whole dataset, constant rate, no
 * warm-up, template none: its per-step losses are TRL 1.16 DPOTrainer's.
 */
class DpoJobTest {
    @TempDir Path dir;

    @Test
    void fullFineTuningJobReproducesTrlsLosses() throws Exception {
        JsonNode expected = PreferenceFixtures.run("dpo-full-sigmoid").get("steps");
        TinyJob.Ran ran =
                TinyJob.run(
                        spec(expected.size()),
                        PreferenceFixtures.LLAMA,
                        PreferenceFixtures.DIR.resolve("pairs.jsonl"),
                        dir.resolve("out"));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(outcome.finished()).isTrue();
        assertThat(steps).hasSize(expected.size());
        for (int i = 0; i < steps.size(); i++) {
            double want = expected.get(i).get("loss").asDouble();
            assertThat(steps.get(i).loss())
                    .as("loss at step %d", i + 1)
                    .isCloseTo(want, within(i == 0 ? 1e-5 : 1e-3 * want));
            assertThat(steps.get(i).metrics().get("rewards/margins"))
                    .as("rewards/margins at step %d", i + 1)
                    .isCloseTo(
                            expected.get(i).get("rewards/margins").asDouble(),
                            within(
                                    1e-3
                                                    * Math.abs(
                                                            expected.get(i)
                                                                    .get("rewards/margins")
                                                                    .asDouble())
                                            + 1e-5));
        }
    }

    /**
     * Under prefix tuning the reference is the base model with the prefix switched off (one copy of
     * the weights), as TRL's reference under a PEFT adapter; the prefix starts random, so the
     * policy differs from the reference from the first step.
     */
    @Test
    void prefixTuningJobTrainsAgainstTheBaseModelAsReference() throws Exception {
        FineTuneJobSpec spec = spec(3);
        spec.method.type = MethodType.PREFIX_TUNING;
        spec.method.promptLearning = new io.kubetune.api.v1alpha1.PromptLearningSpec();
        spec.method.promptLearning.numVirtualTokens = 4;
        TinyJob.Ran ran =
                TinyJob.run(
                        spec,
                        PreferenceFixtures.LLAMA,
                        PreferenceFixtures.DIR.resolve("pairs.jsonl"),
                        dir.resolve("prefix"));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(outcome.finished()).isTrue();
        assertThat(steps).hasSize(3).allSatisfy(step -> assertThat(step.loss()).isFinite());
        assertThat(steps.get(0).loss())
                .as("the random prefix already moves the policy off the reference")
                .isNotCloseTo(Math.log(2), within(1e-6));
        assertThat(outcome.adapterDir().resolve("adapter_model.safetensors")).isNotEmptyFile();
    }

    private static FineTuneJobSpec spec(int steps) {
        FineTuneJobSpec spec =
                TinyJob.spec(Stage.DPO, DataFormat.PREFERENCE, "pairs.jsonl", steps, 4, "1e-3");
        spec.method.type = MethodType.FULL;
        return spec;
    }
}
