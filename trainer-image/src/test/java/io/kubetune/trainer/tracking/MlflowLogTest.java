package io.kubetune.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MlflowLogTest {
    private final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    private final AtomicReference<MlflowLog.Run> created = new AtomicReference<>();

    @Test
    void logsParamsTagsEveryStepsMetricsAndTheResults() throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            MlflowLog log = log(server, Map.of("MLFLOW_TRACKING_TOKEN", "t0ken-value"));
            log.onStart(3, 0);
            for (int step = 1; step <= 3; step++) {
                log.onStep(step(step), 3, step / 3.0);
            }
            log.onEvaluation(3, new Evaluation(1.5, Map.of("mean_token_accuracy", 0.25)));
            log.onFinish(
                    new FineTuneRun.Outcome(
                            true, 3, 2.0, 1.5, Path.of("/out/adapter"), null, null));
            log.close();

            assertThat(server.experimentName).isEqualTo("team-a");
            assertThat(server.params).containsEntry("training.learningRate", "2e-4");
            assertThat(server.tags)
                    .containsEntry("kubetune.job", "job-1")
                    .containsEntry("kubetune.adapter_uri", "file:/out/adapter");
            assertThat(server.endStatus).isEqualTo("FINISHED");
            assertThat(server.authorizations).allMatch(a -> a.equals("Bearer t0ken-value"));
            Map<String, Double> byKeyAndStep = received(server);
            assertThat(byKeyAndStep)
                    .containsEntry("loss@2", 2.0 + 2)
                    .containsEntry("mean_token_accuracy@3", 0.3)
                    .containsEntry("eval_loss@3", 1.5)
                    .containsEntry("eval_mean_token_accuracy@3", 0.25)
                    .hasSize(3 * 6 + 2);
            assertThat(created.get().runId()).isEqualTo("run-1");
            assertThat(created.get().url()).isEqualTo(server.uri() + "/#/experiments/7/runs/run-1");
            assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }

    @Test
    void aServerThatIsDownLosesNoMetricAndDoesNotSlowTheSteps() throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            MlflowLog log = log(server, Map.of());
            log.onStart(2000, 0);
            while (created.get() == null) {
                Thread.sleep(20);
            }
            server.stop();
            long start = System.nanoTime();
            for (int step = 1; step <= 2000; step++) {
                log.onStep(step(step), 2000, 1.0);
            }
            double millis = (System.nanoTime() - start) / 1e6;
            Thread.sleep(1500); // a few failed retries
            server.restart();
            log.onFinish(new FineTuneRun.Outcome(true, 2000, 0, null, null, null, null));
            log.close();

            assertThat(millis)
                    .as("2000 steps queued while the server was down, ms")
                    .isLessThan(500);
            assertThat(received(server)).hasSize(2000 * 6);
            assertThat(server.endStatus).isEqualTo("FINISHED");
            assertThat(warnings.toString(StandardCharsets.UTF_8))
                    .contains("metrics are kept and retried")
                    .doesNotContain("were not logged");
        }
    }

    private MlflowLog log(FakeMlflowServer server, Map<String, String> env) {
        return new MlflowLog(
                new MlflowRest(server.uri(), env),
                new MlflowLog.RunDescription(
                        "team-a",
                        "job-1",
                        Map.of("training.learningRate", "2e-4"),
                        Map.of("kubetune.job", "job-1")),
                p -> "file:" + p,
                created::set,
                new PrintStream(warnings, true, StandardCharsets.UTF_8));
    }

    private static StepResult step(int step) {
        return new StepResult(
                step, 2.0 + step, 1e-4, 0.5, 100, 0.1, Map.of("mean_token_accuracy", step / 10.0));
    }

    private static Map<String, Double> received(FakeMlflowServer server) {
        Map<String, Double> values = new TreeMap<>();
        server.metrics.forEach(
                m ->
                        values.put(
                                m.get("key").getAsString() + "@" + m.get("step").getAsLong(),
                                m.get("value").getAsDouble()));
        return values;
    }
}
