package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.CheckpointResume;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfModelWriter;
import io.kubetune.trainer.status.TrainerFailure;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing a finished (or failing) run did is lost, and nothing from another run is mixed in. */
class RunRecoveryTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final Path CRD = Path.of("../crds/finetunejobs.kubetune.io-v1.yml");

    @TempDir Path dir;

    @Test
    void loraWithoutALoraSectionTrainsWithTheCrdDefaultsAndKeepsTheResolvedSpec()
            throws IOException {
        FineTuneJobSpec spec = FineTuneRunTest.spec(2);
        spec.method.lora = null; // type: lora and nothing else, as a user may write it

        FineTuneRun.Outcome outcome = run(spec, dir.resolve("out"), new ArrayList<>());

        assertThat(outcome.finished()).isTrue();
        JsonNode config =
                new ObjectMapper()
                        .readTree(outcome.adapterDir().resolve("adapter_config.json").toFile());
        JSONSchemaProps lora = crdProperty("method", "lora");
        assertThat(config.get("r").asInt())
                .isEqualTo(lora.getProperties().get("r").getDefault().asInt());
        assertThat(config.get("lora_alpha").asInt())
                .isEqualTo(lora.getProperties().get("alpha").getDefault().asInt());
        assertThat(config.get("target_modules").toString())
                .contains(
                        "q_proj",
                        "k_proj",
                        "v_proj",
                        "o_proj",
                        "gate_proj",
                        "up_proj",
                        "down_proj");
        assertThat(config.get("base_model_name_or_path").asText())
                .isEqualTo(LLAMA.toAbsolutePath().toString());
        assertThat(Files.readString(dir.resolve("out").resolve(RunFolder.RESOLVED_SPEC)))
                .contains("r: 8", "alpha: 16", "maxSteps: 2");
    }

    @Test
    void theFinalCheckpointComesBeforeExportSoAFailedExportIsRetriedWithoutTraining()
            throws IOException {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("adapter"), "a file where the adapter folder goes");
        List<StepResult> steps = new ArrayList<>();

        assertThatThrownBy(() -> run(FineTuneRunTest.spec(3), out, steps))
                .isInstanceOf(IOException.class);
        assertThat(steps).hasSize(3);
        assertThat(out.resolve("checkpoints/step-00000003/manifest.json")).exists();

        Files.delete(out.resolve("adapter"));
        List<StepResult> again = new ArrayList<>();
        FineTuneRun.Outcome retried = run(FineTuneRunTest.spec(3), out, again);

        assertThat(again).as("steps trained by the retry").isEmpty();
        assertThat(retried.finished()).isTrue();
        assertThat(retried.steps()).isEqualTo(3);
        assertThat(retried.lastLoss()).isEqualTo(steps.get(2).loss());
        assertThat(retried.adapterDir().resolve("adapter_model.safetensors")).exists();
    }

    @Test
    void aNonFiniteLossStopsAtItsStepWithExit1AndNothingExported() throws IOException {
        Path corrupt = dir.resolve("corrupt-model");
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            Parameter norm = model.block().getParameters().get("norm_weight");
            norm = norm != null ? norm : firstParameter(model, "norm");
            norm.getArray().muli(Float.NaN);
            HfModelWriter.write(corrupt, model, LLAMA, DataType.FLOAT32);
        }
        Path out = dir.resolve("out");

        assertThatThrownBy(
                        () ->
                                new FineTuneRun(
                                                FineTuneRunTest.spec(3),
                                                new FineTuneRun.Inputs(
                                                        corrupt, List.of(data()), null),
                                                out,
                                                Device.cpu(),
                                                List.of())
                                        .run(() -> false))
                .isInstanceOf(NonFiniteLossException.class)
                .hasMessageStartingWith("step 1: the loss is NaN")
                .hasMessageContaining("learningRate")
                .satisfies(e -> assertThat(TrainerFailure.exitCode(e)).isEqualTo(1));
        assertThat(out.resolve("adapter")).doesNotExist();
        assertThat(out.resolve("checkpoints")).doesNotExist();
    }

    @Test
    void aCorruptLocalCheckpointIsRefusedOnResume() throws IOException {
        Path out = dir.resolve("out");
        stopAfter(2, FineTuneRunTest.spec(4), out);
        Path weights = out.resolve("checkpoints/step-00000002/trainable.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 0x55;
        Files.write(weights, bytes);

        assertThatThrownBy(() -> run(FineTuneRunTest.spec(4), out, new ArrayList<>()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("trainable.safetensors does not match its manifest");
    }

    @Test
    void aResumeWithAChangedSpecIsRefusedNamingTheFieldsUntilTheUserChooses() throws IOException {
        Path out = dir.resolve("out");
        stopAfter(2, FineTuneRunTest.spec(4), out);
        FineTuneJobSpec changed = FineTuneRunTest.spec(4);
        changed.method.lora.r = 8;
        changed.training.learningRate = "1e-3";

        assertThatThrownBy(() -> run(changed, out, new ArrayList<>()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("method.lora.r: 4 -> 8")
                .hasMessageContaining("training.learningRate: 5e-2 -> 1e-3")
                .hasMessageContaining("--overwrite")
                .hasMessageContaining("--resume-from");

        FineTuneJobSpec slower = FineTuneRunTest.spec(4);
        slower.training.learningRate = "1e-3";
        List<StepResult> resumed = new ArrayList<>();
        run(slower, out, resumed, ResumeChoice.of(false, out.resolve("checkpoints/step-00000002")));
        assertThat(resumed).extracting(StepResult::step).containsExactly(3L, 4L);

        List<StepResult> fresh = new ArrayList<>();
        FineTuneRun.Outcome overwritten = run(changed, out, fresh, ResumeChoice.of(true, null));
        assertThat(fresh).hasSize(4);
        assertThat(overwritten.finished()).isTrue();
    }

    @Test
    void aRecreatedJobDoesNotResumeAnOlderJobsCheckpointsUnlessAskedButARetryDoes()
            throws IOException {
        Path out = dir.resolve("out");
        FineTuneJobSpec spec = FineTuneRunTest.spec(4);
        List<StepResult> firstPod = new ArrayList<>();
        runAs("uid-1", spec, out, firstPod, 2);
        assertThat(Files.readString(out.resolve("checkpoints/step-00000002/run_settings.json")))
                .contains("\"jobUid\": \"uid-1\"");

        assertThatThrownBy(() -> runAs("uid-2", spec, out, new ArrayList<>(), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step-00000002 was written by FineTuneJob uid uid-1")
                .hasMessageContaining("not by this FineTuneJob (uid uid-2)")
                .hasMessageContaining("spec.checkpoint.resume: any-job")
                .hasMessageContaining("new spec.output.uri")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> run(spec, out, new ArrayList<>()))
                .as("a local run into the same folder")
                .hasMessageContaining("not by this local run")
                .hasMessageContaining("--resume-from");

        List<StepResult> retry = new ArrayList<>();
        runAs("uid-1", spec, out, retry, 3);
        assertThat(retry).extracting(StepResult::step).as("the retry resumes").containsExactly(3L);

        FineTuneJobSpec asked = FineTuneRunTest.spec(4);
        asked.checkpoint.resume = CheckpointResume.ANY_JOB;
        List<StepResult> recreated = new ArrayList<>();
        runAs("uid-2", asked, out, recreated, 4);
        assertThat(recreated).extracting(StepResult::step).containsExactly(4L);
        assertThat(Files.readString(out.resolve("checkpoints/step-00000004/run_settings.json")))
                .contains("\"jobUid\": \"uid-2\"");
    }

    private void runAs(
            String uid, FineTuneJobSpec spec, Path out, List<StepResult> steps, long stopAt)
            throws IOException {
        TrainingListener recorder = TinyJob.recorder(steps);
        new FineTuneRun(
                        spec,
                        new FineTuneRun.Inputs(LLAMA, List.of(data()), null),
                        out,
                        Device.cpu(),
                        List.of(recorder))
                .forJob(uid)
                .run(() -> !steps.isEmpty() && steps.get(steps.size() - 1).step() >= stopAt);
    }

    @Test
    void aRunResumedInAFreshFolderFromItsCheckpointKeepsTheWholeMetricsHistory()
            throws IOException {
        Path first = dir.resolve("pod-1");
        stopAfter(2, FineTuneRunTest.spec(4), first, new MetricsLog(first));
        // A new pod: only the checkpoint comes back (from S3), the rest of the folder is gone.
        Path second = dir.resolve("pod-2/checkpoints/step-00000002");
        Files.createDirectories(second);
        try (var files = Files.list(first.resolve("checkpoints/step-00000002"))) {
            for (Path f : files.toList()) {
                Files.copy(f, second.resolve(f.getFileName()));
            }
        }
        Path out = dir.resolve("pod-2");
        new FineTuneRun(
                        FineTuneRunTest.spec(4),
                        new FineTuneRun.Inputs(LLAMA, List.of(data()), null),
                        out,
                        Device.cpu(),
                        List.of(new MetricsLog(out), new LossPlot(out)))
                .run(() -> false);

        assertThat(MetricsHistory.read(out.resolve(MetricsHistory.FILE)))
                .extracting(line -> line.get("step").getAsLong())
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(Files.readAllLines(out.resolve(MetricsHistory.FILE))).hasSize(4);
        assertThat(out.resolve("loss.png")).isNotEmptyFile();
    }

    @Test
    void aSecondRunIntoAFolderInUseIsRefused() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        try (FileChannel channel =
                        FileChannel.open(
                                out.resolve(OutputLock.FILE),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            assertThatThrownBy(() -> run(FineTuneRunTest.spec(2), out, new ArrayList<>()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another kubetune run");
        }
        assertThat(out.resolve("checkpoints")).doesNotExist();
    }

    private void stopAfter(long steps, FineTuneJobSpec spec, Path out, TrainingListener... more)
            throws IOException {
        FineTuneRun.Outcome stopped =
                TinyJob.stoppedAt(
                        spec,
                        new FineTuneRun.Inputs(LLAMA, List.of(data()), null),
                        out,
                        steps,
                        List.of(more));
        assertThat(stopped.finished()).isFalse();
    }

    private FineTuneRun.Outcome run(FineTuneJobSpec spec, Path out, List<StepResult> steps)
            throws IOException {
        return run(spec, out, steps, ResumeChoice.NEWEST);
    }

    private FineTuneRun.Outcome run(
            FineTuneJobSpec spec, Path out, List<StepResult> steps, ResumeChoice resume)
            throws IOException {
        TrainingListener recorder = TinyJob.recorder(steps);
        return new FineTuneRun(
                        spec,
                        new FineTuneRun.Inputs(LLAMA, List.of(data()), null),
                        out,
                        Device.cpu(),
                        List.of(recorder),
                        resume)
                .run(() -> false);
    }

    private Path data() throws IOException {
        Path file = dir.resolve("train.jsonl");
        return Files.exists(file) ? file : FineTuneRunTest.instructions(file);
    }

    private static Parameter firstParameter(PretrainedModel model, String part) {
        return model.block().getParameters().stream()
                .filter(p -> p.getKey().contains(part))
                .map(ai.djl.util.Pair::getValue)
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    private static JSONSchemaProps crdProperty(String... path) throws IOException {
        CustomResourceDefinition crd =
                new KubernetesSerialization()
                        .unmarshal(Files.readString(CRD), CustomResourceDefinition.class);
        JSONSchemaProps at = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        at = at.getProperties().get("spec");
        for (String name : path) {
            at = at.getProperties().get(name);
        }
        return at;
    }
}
