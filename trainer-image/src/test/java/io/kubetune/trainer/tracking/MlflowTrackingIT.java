package io.kubetune.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.MlflowSpec;
import io.kubetune.api.v1alpha1.TrackingSpec;
import io.kubetune.trainer.storage.RunOutput;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.MetricsLog;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run logs to a real MLflow tracking server (the pinned one of test-env/) which is stopped
 * for 30 s in the middle: the MLflow run ends with params, tags and every metrics.jsonl value at
 * its step, and the steps during the outage are no slower than before it.
 */
class MlflowTrackingIT {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final int OUTAGE_AT_STEP = 15;

    @TempDir Path dir;

    @Test
    void runLogsEveryMetricThroughA30SecondOutageWithoutSlowingTheSteps() throws Exception {
        try (PrivateMlflow mlflow = new PrivateMlflow(dir.resolve("mlflow"))) {
            mlflow.start();
            FineTuneJob job = job(mlflow.uri());
            Path out = dir.resolve("out");
            List<Long> stepEnds = new CopyOnWriteArrayList<>();
            AtomicReference<MlflowLog.Run> created = new AtomicReference<>();
            Thread outage = new Thread(() -> outage(mlflow, stepEnds));
            TrainingListener clock =
                    new TrainingListener() {
                        @Override
                        public void onStep(StepResult r, long total, double epoch) {
                            stepEnds.add(System.nanoTime());
                            if (r.step() == OUTAGE_AT_STEP) {
                                outage.start();
                            }
                        }
                    };
            RunOutput output = RunOutput.choose(job, out, Map.of());
            long closeStart;
            try (RunTracking tracking =
                    RunTracking.forJob(job, false, output, Map.of(), created::set)) {
                new FineTuneRun(
                                job.getSpec(),
                                new FineTuneRun.Inputs(
                                        LLAMA,
                                        List.of(TensorBoardFixtureTest.instructions(dir)),
                                        null),
                                out,
                                Device.cpu(),
                                List.of(new MetricsLog(out), tracking, clock))
                        .run(() -> false);
                outage.join();
                closeStart = System.nanoTime();
            }
            System.out.printf(
                    "[MlflowTrackingIT] close waited %.1f s%n",
                    (System.nanoTime() - closeStart) / 1e9);
            OutageTimings timings = outageTimings.get();
            System.out.printf(
                    "[MlflowTrackingIT] mean step %.3f s before the outage, %.3f s during it (%d steps)%n",
                    timings.before, timings.during, timings.stepsDuring);
            System.out.printf(
                    "[MlflowTrackingIT] mean step %.3f s after it (%d steps)%n",
                    meanGap(stepEnds, timings.atStart, stepEnds.size()),
                    stepEnds.size() - timings.atStart);
            assertThat(timings.stepsDuring).isGreaterThan(5);
            assertThat(timings.during).isLessThan(timings.before * 1.5 + 0.05);

            String runId = created.get().runId();
            JsonObject run = get(mlflow.uri(), "runs/get?run_id=" + runId).getAsJsonObject("run");
            assertThat(run.getAsJsonObject("info").get("status").getAsString())
                    .isEqualTo("FINISHED");
            Map<String, String> params = pairs(run.getAsJsonObject("data"), "params");
            Map<String, String> tags = pairs(run.getAsJsonObject("data"), "tags");
            assertThat(params)
                    .containsEntry("training.learningRate", "5e-2")
                    .containsEntry("stage", "sft");
            assertThat(tags)
                    .containsEntry("kubetune.job", "mlflow-it")
                    .containsEntry("kubetune.namespace", "team-a")
                    .containsEntry("kubetune.method", "lora")
                    .containsKey("kubetune.adapter_uri");
            Map<String, Double> expected = metricsJsonl(out);
            Map<String, Double> logged = new TreeMap<>();
            for (String key :
                    expected.keySet().stream()
                            .map(k -> k.substring(0, k.indexOf('@')))
                            .distinct()
                            .toList()) {
                JsonObject history =
                        get(
                                mlflow.uri(),
                                "metrics/get-history?max_results=25000&run_id="
                                        + runId
                                        + "&metric_key="
                                        + URLEncoder.encode(key, StandardCharsets.UTF_8));
                for (JsonElement m : history.getAsJsonArray("metrics")) {
                    JsonObject o = m.getAsJsonObject();
                    logged.put(key + "@" + o.get("step").getAsLong(), o.get("value").getAsDouble());
                }
            }
            assertThat(logged).isEqualTo(expected);
        }
    }

    private record OutageTimings(double before, double during, int stepsDuring, int atStart) {}

    private final AtomicReference<OutageTimings> outageTimings = new AtomicReference<>();

    /** Stops the server for 30 s and measures the steps before and during. */
    private void outage(PrivateMlflow mlflow, List<Long> stepEnds) {
        try {
            int atStop = stepEnds.size();
            mlflow.stop();
            Thread.sleep(30_000);
            int atStart = stepEnds.size();
            mlflow.start();
            outageTimings.set(
                    new OutageTimings(
                            meanGap(stepEnds, 5, atStop), // from step 5: past the JIT warm-up
                            meanGap(stepEnds, atStop, atStart),
                            atStart - atStop,
                            atStart));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double meanGap(List<Long> ends, int from, int to) {
        return (ends.get(to - 1) - ends.get(from - 1)) / 1e9 / Math.max(1, to - from);
    }

    private static Map<String, Double> metricsJsonl(Path out) throws Exception {
        Map<String, Double> values = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            long step = o.get("step").getAsLong();
            o.keySet().stream()
                    .filter(k -> !k.equals("step"))
                    .forEach(k -> values.put(k + "@" + step, o.get(k).getAsDouble()));
        }
        return values;
    }

    private static Map<String, String> pairs(JsonObject data, String field) {
        Map<String, String> map = new TreeMap<>();
        if (data.has(field)) {
            for (JsonElement e : data.getAsJsonArray(field)) {
                map.put(
                        e.getAsJsonObject().get("key").getAsString(),
                        e.getAsJsonObject().get("value").getAsString());
            }
        }
        return map;
    }

    private static JsonObject get(String base, String call) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow/" + call))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(call + ": " + r.body()).isEqualTo(200);
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    private static FineTuneJob job(String trackingUri) {
        FineTuneJob job = TensorBoardFixtureTest.job();
        job.setMetadata(
                new ObjectMetaBuilder()
                        .withName("mlflow-it")
                        .withNamespace("team-a")
                        .withUid("uid-1")
                        .build());
        job.getSpec().training.maxSteps = 300;
        job.getSpec().training.evalSteps = 100;
        job.getSpec().checkpoint.everySteps = 150;
        job.getSpec().tracking = new TrackingSpec();
        job.getSpec().tracking.mlflow = new MlflowSpec();
        job.getSpec().tracking.mlflow.trackingUri = trackingUri;
        return job;
    }
}
