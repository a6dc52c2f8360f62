package io.kubetune.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.OutputSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.TrackingSpec;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.api.v1alpha1.ValidationSpec;
import io.kubetune.trainer.storage.RunOutput;
import io.kubetune.trainer.tracking.proto.Event;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.MetricsLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny LoRA SFT run with spec.tracking.tensorboard writes the scalars TensorBoard's own reader
 * found in the same run's event file (fixtures/tracking/tensorboard_scalars.json, made by
 * tools/reference/read_tensorboard_events.py from the run this test leaves in
 * target/tensorboard-reference-run), with the values of metrics.jsonl.
 */
class TensorBoardFixtureTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final Path FIXTURE =
            Path.of("src/test/resources/fixtures/tracking/tensorboard_scalars.json");
    private static final Path REFERENCE_RUN = Path.of("target/tensorboard-reference-run");

    @TempDir Path dir;

    @Test
    void eventFileHoldsWhatTensorBoardReadAndWhatMetricsJsonlSays() throws IOException {
        Path out = dir.resolve("out");
        FineTuneJob job = job();
        RunOutput output = RunOutput.choose(job, out, Map.of());
        try (RunTracking tracking = RunTracking.forJob(job, false, output, Map.of(), run -> {})) {
            new FineTuneRun(
                            job.getSpec(),
                            new FineTuneRun.Inputs(LLAMA, List.of(instructions(dir)), null),
                            out,
                            Device.cpu(),
                            List.of(new MetricsLog(out), tracking))
                    .run(() -> false);
        }
        Path eventFile = EventFiles.only(out.resolve(TensorBoardLog.DIR));
        keepForTheReferenceReader(eventFile, out.resolve("metrics.jsonl"));
        Map<String, Float> written = scalars(EventFiles.read(eventFile));

        Map<String, Float> read = fixtureScalars();
        assertThat(written.keySet())
                .as("tag@step written vs read by TensorBoard")
                .isEqualTo(read.keySet());
        read.forEach(
                (key, value) -> {
                    if (!key.startsWith("train/tokens_per_second@")) { // a timing
                        assertThat(written.get(key))
                                .as(key)
                                .isCloseTo(value, within(tolerance(value)));
                    }
                });
        metricsJsonl(out)
                .forEach(
                        (key, value) ->
                                assertThat(written.get(key))
                                        .as(key + " vs metrics.jsonl")
                                        .isEqualTo(value));
        assertThat(hparams(EventFiles.read(eventFile)))
                .contains(
                        "| training.learningRate | 5e-2 |",
                        "| method.lora.r | 4 |",
                        "| stage | sft |");
    }

    private static float tolerance(float value) {
        return 1e-4f * Math.max(1f, Math.abs(value));
    }

    /** tag@step → value of every scalar in the event file. */
    private static Map<String, Float> scalars(List<Event> events) {
        Map<String, Float> scalars = new TreeMap<>();
        for (Event e : events) {
            for (var v : e.getSummary().getValueList()) {
                if (v.hasSimpleValue()) {
                    scalars.put(v.getTag() + "@" + e.getStep(), v.getSimpleValue());
                }
            }
        }
        return scalars;
    }

    private static String hparams(List<Event> events) {
        return events.stream()
                .flatMap(e -> e.getSummary().getValueList().stream())
                .filter(v -> v.getTag().equals("hparams"))
                .map(v -> v.getTensor().getStringVal(0).toStringUtf8())
                .findFirst()
                .orElse("");
    }

    private static Map<String, Float> fixtureScalars() throws IOException {
        JsonObject fixture = JsonParser.parseString(Files.readString(FIXTURE)).getAsJsonObject();
        Map<String, Float> scalars = new TreeMap<>();
        for (var s : fixture.getAsJsonArray("scalars")) {
            JsonObject o = s.getAsJsonObject();
            scalars.put(
                    o.get("tag").getAsString() + "@" + o.get("step").getAsLong(),
                    o.get("value").getAsFloat());
        }
        return scalars;
    }

    /** metrics.jsonl under TensorBoard's tags, as Hugging Face's callback renames them. */
    private static Map<String, Float> metricsJsonl(Path out) throws IOException {
        Map<String, Float> scalars = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            long step = o.get("step").getAsLong();
            for (String key : o.keySet()) {
                if (!key.equals("step") && !key.equals("tokens_per_second")) {
                    // The writer narrows the double to float; parsing the decimal straight to float
                    // can
                    // round the other way (double rounding), one ulp off.
                    scalars.put(
                            TensorBoardLog.tag(key) + "@" + step, (float) o.get(key).getAsDouble());
                }
            }
        }
        return scalars;
    }

    private static void keepForTheReferenceReader(Path eventFile, Path metrics) throws IOException {
        Path tensorboard = REFERENCE_RUN.resolve(TensorBoardLog.DIR);
        if (Files.exists(tensorboard)) {
            try (var old = Files.list(tensorboard)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(tensorboard);
        Files.copy(eventFile, tensorboard.resolve(eventFile.getFileName()));
        Files.copy(
                metrics,
                REFERENCE_RUN.resolve("metrics.jsonl"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    static FineTuneJob job() {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.model = new ModelSource();
        spec.model.uri = "/models/llama";
        DatasetSpec dataset = new DatasetSpec();
        dataset.uri = "/data/train.jsonl";
        dataset.format = DataFormat.ALPACA;
        dataset.template = PromptTemplate.ALPACA;
        spec.datasets = List.of(dataset);
        spec.validation = new ValidationSpec();
        spec.validation.ratio = "0.25";
        spec.method.lora = new LoraSpec();
        spec.method.lora.r = 4;
        spec.method.lora.alpha = 8;
        spec.method.lora.targetModules = List.of("q_proj", "v_proj");
        spec.training = new TrainingSpec();
        spec.training.maxSteps = 6;
        spec.training.batchSize = 4;
        spec.training.learningRate = "5e-2";
        spec.training.warmupSteps = 2;
        spec.training.cutoffLength = 64;
        spec.training.evalSteps = 3;
        spec.training.loggingSteps = 1;
        spec.checkpoint.everySteps = 3;
        spec.output = new OutputSpec();
        spec.output.uri = "s3://runs/test";
        spec.tracking = new TrackingSpec();
        spec.tracking.tensorboard = true;
        FineTuneJob job = new FineTuneJob();
        job.setMetadata(new ObjectMetaBuilder().withName("tb-fixture").withNamespace("ns").build());
        job.setSpec(spec);
        return job;
    }

    static Path instructions(Path dir) throws IOException {
        String[] words = {
            "harbor", "lantern", "meadow", "anvil", "quill", "glacier", "orchard", "beacon"
        };
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            lines.append("{\"instruction\": \"Define ")
                    .append(words[i % words.length])
                    .append(".\", \"input\": \"\", \"output\": \"a word, number ")
                    .append(i % 5)
                    .append(".\"}\n");
        }
        return Files.writeString(dir.resolve("train.jsonl"), lines.toString());
    }
}
