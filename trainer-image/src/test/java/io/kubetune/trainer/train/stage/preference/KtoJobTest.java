package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.OutputSpec;
import io.kubetune.api.v1alpha1.PreferenceSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<StepResult> steps = new ArrayList<>();
        TrainingListener recorder =
                new TrainingListener() {
                    @Override
                    public void onStep(StepResult result, long totalSteps, double epoch) {
                        steps.add(result);
                    }
                };

        FineTuneRun.Outcome outcome =
                new FineTuneRun(
                                spec(expected.size()),
                                new FineTuneRun.Inputs(
                                        PreferenceFixtures.LLAMA,
                                        List.of(KtoParityTest.DIR.resolve("feedback.jsonl")),
                                        null),
                                dir.resolve("out"),
                                Device.cpu(),
                                List.of(recorder))
                        .run(() -> false);

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
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.stage = Stage.KTO;
        spec.model = new ModelSource();
        spec.model.uri = "/models/llama";
        DatasetSpec dataset = new DatasetSpec();
        dataset.uri = "/data/feedback.jsonl";
        dataset.format = DataFormat.KTO;
        dataset.template = PromptTemplate.NONE;
        spec.datasets = List.of(dataset);
        spec.method.type = MethodType.FULL;
        spec.preference = new PreferenceSpec();
        spec.preference.undesirableWeight = "1.5";
        spec.training = new TrainingSpec();
        spec.training.maxSteps = steps;
        spec.training.batchSize = 4;
        spec.training.learningRate = "1e-3";
        spec.training.scheduler = Scheduler.CONSTANT;
        spec.training.warmupSteps = 0;
        spec.training.cutoffLength = 64;
        spec.training.loggingSteps = 1;
        spec.checkpoint.everySteps = 100;
        spec.output = new OutputSpec();
        spec.output.uri = "s3://runs/kto";
        return spec;
    }
}
