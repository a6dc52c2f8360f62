package io.kubetune.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MlflowEvalResultsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);

    @Test
    void resultsGoToTheFineTuneJobsRunAsTaskMetrics() throws Exception {
        try (FakeMlflowServer server = new FakeMlflowServer()) {
            EvalJob job = job(server.uri());

            boolean logged =
                    MlflowEvalResults.log(
                            job, results(), Map.of("MLFLOW_TRACKING_TOKEN", "t0ken"), log);

            assertThat(logged).isTrue();
            Map<String, Double> metrics = new TreeMap<>();
            server.metrics.forEach(
                    m -> {
                        assertThat(m.get("step").getAsLong()).isZero();
                        metrics.put(m.get("key").getAsString(), m.get("value").getAsDouble());
                    });
            assertThat(metrics)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "hellaswag/acc", 0.25,
                                    "hellaswag/acc_stderr", 0.1,
                                    "hellaswag/acc_norm", 0.5,
                                    "hellaswag/acc_norm_stderr", 0.125,
                                    "perplexity/perplexity", 12.5));
            assertThat(server.tags).containsEntry("kubetune.eval_job", "moby-eval");
            assertThat(server.authorizations).containsOnly("Bearer t0ken");
        }
    }

    @Test
    void aServerThatDoesNotAnswerCostsOneWarningLine() throws Exception {
        FakeMlflowServer server = new FakeMlflowServer();
        server.stop();
        EvalJob job = job(server.uri());

        boolean logged =
                MlflowEvalResults.log(
                        new MlflowRest(server.uri(), Map.of()),
                        job.getSpec().tracking.runId,
                        job,
                        results(),
                        log,
                        Duration.ofMillis(10));

        assertThat(logged).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .singleElement()
                .asString()
                .startsWith("[mlflow] warning: the results were not logged to run run-1")
                .endsWith("they are on the EvalJob's status");
    }

    @Test
    void aJobWithoutTrackingLogsNothing() {
        EvalJob job = job("http://127.0.0.1:1");
        job.getSpec().tracking = null;

        assertThat(MlflowEvalResults.log(job, results(), Map.of(), log)).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    private static List<EvalResult> results() {
        EvalResult hellaswag = new EvalResult();
        hellaswag.task = "hellaswag";
        hellaswag.acc = 0.25;
        hellaswag.accStderr = 0.1;
        hellaswag.accNorm = 0.5;
        hellaswag.accNormStderr = 0.125;
        hellaswag.n = 4;
        EvalResult perplexity = new EvalResult();
        perplexity.task = "perplexity";
        perplexity.perplexity = 12.5;
        perplexity.acc = Double.NaN; // not a number MLflow could store: left out
        return List.of(hellaswag, perplexity);
    }

    private static EvalJob job(String trackingUri) {
        return Serialization.unmarshal(
                """
                apiVersion: kubetune.io/v1alpha1
                kind: EvalJob
                metadata: {name: moby-eval, namespace: team-a}
                spec:
                  model: {uri: s3://models/tiny-llama}
                  adapter: {uri: s3://runs/moby/adapter}
                  tasks: [{name: hellaswag}]
                  tracking:
                    mlflow: {trackingUri: %s}
                    runId: run-1
                """
                        .formatted(trackingUri),
                EvalJob.class);
    }
}
