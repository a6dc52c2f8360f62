package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.ChatFormat;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.OutputSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.model.FakeDeviceProbe;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.ChatFormatSetup;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import io.kubetune.trainer.prompt.AdapterTemplate;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA SFT end to end on a tiny Llama: it learns, writes PEFT files, and resumes exactly. */
class FineTuneRunTest {
    private static final Path LLAMA = TinyJob.LLAMA;

    @TempDir Path dir;

    @Test
    void loraSftLearnsKeepsBaseWeightsAndWritesAPeftAdapter() throws IOException {
        Path data = instructions(dir.resolve("train.jsonl"));
        byte[] baseBefore = Files.readAllBytes(LLAMA.resolve("model.safetensors"));

        TinyJob.Ran ran =
                TinyJob.run(
                        spec(12),
                        new FineTuneRun.Inputs(LLAMA, List.of(data), null),
                        dir.resolve("out"),
                        List.of(new MetricsLog(dir.resolve("out"))));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(outcome.finished()).isTrue();
        assertThat(steps).hasSize(12);
        double firstLoss = steps.get(0).loss();
        double lastLoss = steps.get(steps.size() - 1).loss();
        assertThat(lastLoss).as("loss after 12 steps vs first").isLessThan(firstLoss * 0.85);
        assertThat(steps.get(0).learningRate()).isZero();
        assertThat(Files.readAllBytes(LLAMA.resolve("model.safetensors"))).isEqualTo(baseBefore);
        try (SafetensorsFile adapter =
                SafetensorsFile.open(outcome.adapterDir().resolve("adapter_model.safetensors"))) {
            assertThat(adapter.names())
                    .contains(
                            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                            "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
            assertThat(
                            adapter.tensor(
                                            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                                    .shape()
                                    .getShape())
                    .containsExactly(4, 64);
        }
        assertThat(Files.readString(outcome.adapterDir().resolve("adapter_config.json")))
                .contains("\"peft_type\": \"LORA\"", "\"q_proj\"", "\"v_proj\"");
        assertThat(AdapterTemplate.read(outcome.adapterDir()))
                .as("generate and chat prompt the adapter as it was trained")
                .contains(PromptTemplate.ALPACA);
        assertThat(Files.readAllLines(dir.resolve("out/metrics.jsonl")))
                .hasSizeGreaterThanOrEqualTo(12);
        try (Stream<Path> kept = Files.list(dir.resolve("out/checkpoints"))) {
            assertThat(kept.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("step-00000008", "step-00000012");
        }
    }

    @Test
    void killedRunResumesFromItsCheckpointToTheSameAdapter() throws IOException {
        Path data = instructions(dir.resolve("train.jsonl"));
        FineTuneRun.Inputs inputs = new FineTuneRun.Inputs(LLAMA, List.of(data), null);
        FineTuneRun.Outcome straight =
                new FineTuneRun(spec(10), inputs, dir.resolve("straight"), Device.cpu(), List.of())
                        .run(() -> false);

        FineTuneRun.Outcome stopped =
                TinyJob.stoppedAt(spec(10), inputs, dir.resolve("resumed"), 6);
        assertThat(stopped.finished()).isFalse();
        assertThat(stopped.steps()).isEqualTo(6);
        // A half-written newer checkpoint (no manifest) must be ignored.
        Files.createDirectories(dir.resolve("resumed/checkpoints/step-00000007"));
        FineTuneRun.Outcome resumed =
                new FineTuneRun(spec(10), inputs, dir.resolve("resumed"), Device.cpu(), List.of())
                        .run(() -> false);

        assertThat(resumed.finished()).isTrue();
        assertThat(resumed.lastLoss()).isEqualTo(straight.lastLoss());
        assertThat(Files.readAllBytes(resumed.adapterDir().resolve("adapter_model.safetensors")))
                .isEqualTo(
                        Files.readAllBytes(
                                straight.adapterDir().resolve("adapter_model.safetensors")));
    }

    @Test
    void mergedModelGivesTheLogitsOfBaseModelPlusAdapter() throws IOException {
        FineTuneJobSpec spec = spec(6);
        spec.output.mergeModel = true;
        FineTuneRun.Outcome outcome =
                new FineTuneRun(
                                spec,
                                new FineTuneRun.Inputs(
                                        LLAMA, List.of(instructions(dir.resolve("t.jsonl"))), null),
                                dir.resolve("out"),
                                Device.cpu(),
                                List.of())
                        .run(() -> false);
        long[] ids = {5, 17, 300, 42, 1001, 7};
        try (PretrainedModel merged =
                        PretrainedModel.load(outcome.modelDir(), Device.cpu(), Precision.FP32);
                PretrainedModel base = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = NDManager.newBaseManager()) {
            PeftAdapterFormat.read(
                    outcome.adapterDir(), base.block(), DataType.FLOAT32, base.manager());
            NDArray input = scope.create(ids).expandDims(0);
            NDArray a = merged.block().logits(merged.parameterStore(), ModelInput.of(input), false);
            NDArray b = base.block().logits(base.parameterStore(), ModelInput.of(input), false);
            assertThat(a.sub(b).abs().max().getFloat()).isLessThanOrEqualTo(1e-4f);
            assertThat(b.sub(baseLogits(input)).abs().max().getFloat())
                    .as("the adapter changed the model")
                    .isGreaterThan(1e-3f);
        }
    }

    @Test
    void chatFormatGrowsTheVocabularyAndTrainsTheNewTokens() throws IOException {
        FineTuneJobSpec spec = spec(4);
        spec.chatFormat = ChatFormat.CHATML;
        spec.method.type = MethodType.FULL;
        spec.training.learningRate = "1e-3";
        spec.datasets.get(0).template = PromptTemplate.MODEL;
        FineTuneRun.Outcome outcome =
                new FineTuneRun(
                                spec,
                                new FineTuneRun.Inputs(
                                        LLAMA, List.of(instructions(dir.resolve("t.jsonl"))), null),
                                dir.resolve("out"),
                                Device.cpu(),
                                List.of())
                        .run(() -> false);

        Path base = dir.resolve("out/chat-format-model");
        assertThat(SpecialTokens.read(outcome.modelDir()).eos().orElseThrow().content())
                .isEqualTo(ChatFormatSetup.IM_END);
        try (PretrainedModel before = PretrainedModel.load(base, Device.cpu(), Precision.FP32);
                PretrainedModel after =
                        PretrainedModel.load(outcome.modelDir(), Device.cpu(), Precision.FP32)) {
            assertThat(after.config().getInt("vocab_size")).isEqualTo(4098 + 2);
            long imStart = SpecialTokens.read(base).bos().orElseThrow().id();
            NDArray was = embeddingRow(before, imStart);
            NDArray is = embeddingRow(after, imStart);
            assertThat(is.sub(was).abs().max().getFloat())
                    .as("<|im_start|> is in every sample, so its embedding row is trained")
                    .isGreaterThan(1e-5f);
        }
    }

    @Test
    void autoPrecisionTrainsInBf16FromComputeCapability8Fp16BelowAndFp32OnTheCpu() {
        FineTuneJobSpec auto = spec(1);
        assertThat(auto.training.precision).isEqualTo(io.kubetune.api.v1alpha1.Precision.AUTO);

        assertThat(onMachine(auto, Device.gpu(0), FakeDeviceProbe.A100).precision())
                .isEqualTo(Precision.BF16);
        assertThat(onMachine(auto, Device.gpu(0), FakeDeviceProbe.T4).precision())
                .as("fp16, which gets loss scaling")
                .isEqualTo(Precision.FP16);
        assertThat(onMachine(auto, Device.cpu(), FakeDeviceProbe.CPU_IMAGE).precision())
                .isEqualTo(Precision.FP32);
        FineTuneJobSpec bf16 = spec(1);
        bf16.training.precision = io.kubetune.api.v1alpha1.Precision.BF16;
        assertThatThrownBy(() -> onMachine(bf16, Device.gpu(0), FakeDeviceProbe.T4).precision())
                .hasMessageContaining("compute capability 8.0");
    }

    private FineTuneRun onMachine(FineTuneJobSpec spec, Device device, FakeDeviceProbe probe) {
        return new FineTuneRun(
                        spec,
                        new FineTuneRun.Inputs(LLAMA, List.of(), null),
                        dir.resolve("out"),
                        device,
                        List.of())
                .withDeviceProbe(probe);
    }

    @Test
    void loraOnGpt2sFusedCAttnTrainsTheRowsOfQKAndV() throws IOException {
        FineTuneJobSpec spec = spec(3);
        spec.method.lora.targetModules = List.of("c_attn");
        spec.method.lora.dropout = "0";
        FineTuneRun.Outcome outcome =
                new FineTuneRun(
                                spec,
                                new FineTuneRun.Inputs(
                                        Path.of("src/test/resources/fixtures/models/gpt2"),
                                        List.of(instructions(dir.resolve("t.jsonl"))),
                                        null),
                                dir.resolve("out"),
                                Device.cpu(),
                                List.of())
                        .run(() -> false);
        try (SafetensorsFile adapter =
                        SafetensorsFile.open(
                                outcome.adapterDir().resolve("adapter_model.safetensors"));
                NDManager manager = NDManager.newBaseManager();
                io.kubetune.trainer.model.io.TensorLoader loader =
                        new io.kubetune.trainer.model.io.TensorLoader()) {
            NDArray b =
                    loader.load(
                            adapter.tensor(
                                    "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight"),
                            io.kubetune.trainer.model.io.WeightLayout.AS_IS,
                            manager,
                            ai.djl.ndarray.types.DataType.FLOAT32);
            assertThat(b.getShape().get(0)).isEqualTo(3 * 64);
            for (int part = 0; part < 3; part++) {
                NDArray rows = b.get(part * 64 + ":" + (part + 1) * 64);
                assertThat(rows.abs().max().getFloat())
                        .as("B rows of %s moved from zero", new String[] {"q", "k", "v"}[part])
                        .isGreaterThan(0f);
            }
        }
    }

    private static NDArray embeddingRow(PretrainedModel model, long id) {
        for (var p : model.block().getParameters()) {
            if (p.getKey().contains("embed_tokens")) {
                return p.getValue().getArray().get(id);
            }
        }
        throw new AssertionError("no embed_tokens parameter");
    }

    private static NDArray baseLogits(NDArray input) throws IOException {
        try (PretrainedModel plain = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            NDArray logits =
                    plain.block().logits(plain.parameterStore(), ModelInput.of(input), false);
            logits.attach(input.getManager());
            return logits;
        }
    }

    static FineTuneJobSpec spec(int maxSteps) {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.model = new ModelSource();
        spec.model.uri = "/models/llama";
        DatasetSpec dataset = new DatasetSpec();
        dataset.uri = "/data/train.jsonl";
        dataset.format = DataFormat.ALPACA;
        dataset.template = PromptTemplate.ALPACA;
        spec.datasets = List.of(dataset);
        spec.method.lora = new LoraSpec();
        spec.method.lora.r = 4;
        spec.method.lora.alpha = 8;
        spec.method.lora.dropout = "0.1";
        spec.method.lora.targetModules = List.of("q_proj", "v_proj");
        spec.training = new TrainingSpec();
        spec.training.maxSteps = maxSteps;
        spec.training.batchSize = 4;
        spec.training.gradientAccumulationSteps = 2;
        spec.training.learningRate = "5e-2";
        spec.training.warmupSteps = 2;
        spec.training.cutoffLength = 64;
        spec.checkpoint.everySteps = 4;
        spec.checkpoint.keepLast = 2;
        spec.output = new OutputSpec();
        spec.output.uri = "s3://runs/test";
        return spec;
    }

    static Path instructions(Path file) throws IOException {
        String[][] words = {
            {"harbor", "a sheltered port"},
            {"lantern", "a portable light"},
            {"meadow", "a grassy field"},
            {"anvil", "a smith's iron block"},
            {"quill", "a feather pen"},
            {"glacier", "a river of ice"},
            {"orchard", "a field of fruit trees"},
            {"beacon", "a guiding fire"}
        };
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            String[] w = words[i % words.length];
            lines.append("{\"instruction\": \"Define ")
                    .append(w[0])
                    .append(".\", \"input\": \"\", \"output\": \"")
                    .append(w[1])
                    .append(".\"}\n");
        }
        return Files.writeString(file, lines.toString());
    }
}
