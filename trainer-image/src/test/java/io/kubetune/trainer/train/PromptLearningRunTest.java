package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import io.kubetune.trainer.peft.PeftMethod;
import io.kubetune.trainer.peft.PromptLearningFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prompt tuning (text init), prefix tuning and P-tuning (MLP, LSTM) jobs end to end: the model
 * frozen, the loss going down, checkpoints taken, PEFT's adapter files written, and the adapter
 * read back changing the model's logits.
 */
class PromptLearningRunTest {
    private static final Path LLAMA = TinyJob.LLAMA;

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "prompt-tuning, PROMPT_TUNING, 64",
        "prefix-tuning, PREFIX_TUNING, 128",
        "p-tuning, P_TUNING, 64",
        "p-tuning-lstm, P_TUNING, 64"
    })
    void aJobTrainsTheVirtualTokensAndWritesPeftsFiles(String method, String peftType, long width)
            throws IOException {
        FineTuneJobSpec spec = FineTuneRunTest.spec(8);
        spec.method.lora = null;
        spec.method.type = MethodType.valueOf(peftType);
        spec.method.promptLearning = new PromptLearningSpec();
        spec.method.promptLearning.numVirtualTokens = 4;
        if (method.endsWith("lstm")) {
            spec.method.promptLearning.encoder = PromptLearningSpec.Encoder.LSTM;
            spec.method.promptLearning.encoderHiddenSize = 16;
        }
        if (spec.method.type == MethodType.PROMPT_TUNING) {
            spec.method.promptLearning.init = PromptLearningSpec.Init.TEXT;
            spec.method.promptLearning.initText = "Define the word:";
        }
        spec.training.learningRate = "1e-1";
        TinyJob.Ran ran =
                TinyJob.run(
                        spec,
                        TinyJob.LLAMA,
                        FineTuneRunTest.instructions(dir.resolve("t.jsonl")),
                        dir.resolve("out"));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(steps).hasSize(8);
        assertThat(steps.get(steps.size() - 1).loss()).isLessThan(steps.get(0).loss());
        assertThat(Files.readString(outcome.adapterDir().resolve(PeftAdapterFormat.CONFIG)))
                .contains("\"peft_type\": \"" + peftType + "\"")
                .contains("\"num_virtual_tokens\": 4");
        try (SafetensorsFile adapter =
                SafetensorsFile.open(outcome.adapterDir().resolve(PeftAdapterFormat.WEIGHTS))) {
            assertThat(adapter.names()).containsExactly(PromptLearningFormat.TENSOR);
            assertThat(adapter.tensor(PromptLearningFormat.TENSOR).shape())
                    .isEqualTo(new ai.djl.ndarray.types.Shape(4, width));
        }
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager()) {
            NDArray input = scope.create(new long[] {5, 17, 300, 42}).expandDims(0);
            NDArray base =
                    model.block().logits(model.parameterStore(), ModelInput.of(input), false);
            PeftMethod.readAny(
                    outcome.adapterDir(), model.block(), DataType.FLOAT32, model.manager());
            NDArray adapted =
                    model.block().logits(model.parameterStore(), ModelInput.of(input), false);
            assertThat(adapted.getShape()).isEqualTo(base.getShape());
            assertThat(adapted.sub(base).abs().max().getFloat()).isGreaterThan(1e-3f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"PROMPT_TUNING", "PREFIX_TUNING", "P_TUNING"})
    void aStoppedRunResumesFromItsCheckpointToTheSameAdapter(MethodType type) throws IOException {
        FineTuneRun.Inputs inputs =
                new FineTuneRun.Inputs(
                        LLAMA, List.of(FineTuneRunTest.instructions(dir.resolve("t.jsonl"))), null);
        FineTuneRun.Outcome straight =
                new FineTuneRun(
                                spec(type),
                                inputs,
                                dir.resolve("straight"),
                                Device.cpu(),
                                List.of())
                        .run(() -> false);
        FineTuneRun.Outcome stopped =
                TinyJob.stoppedAt(spec(type), inputs, dir.resolve("resumed"), 4);
        assertThat(stopped.finished()).isFalse();
        FineTuneRun.Outcome resumed =
                new FineTuneRun(spec(type), inputs, dir.resolve("resumed"), Device.cpu(), List.of())
                        .run(() -> false);

        assertThat(resumed.finished()).isTrue();
        assertThat(resumed.lastLoss()).isEqualTo(straight.lastLoss());
        assertThat(Files.readAllBytes(resumed.adapterDir().resolve(PeftAdapterFormat.WEIGHTS)))
                .isEqualTo(
                        Files.readAllBytes(
                                straight.adapterDir().resolve(PeftAdapterFormat.WEIGHTS)));
    }

    private static FineTuneJobSpec spec(MethodType type) {
        FineTuneJobSpec spec = FineTuneRunTest.spec(8);
        spec.method.lora = null;
        spec.method.type = type;
        spec.method.promptLearning = new PromptLearningSpec();
        spec.method.promptLearning.numVirtualTokens = 4;
        if (type == MethodType.PROMPT_TUNING) {
            spec.method.promptLearning.init = PromptLearningSpec.Init.SAMPLE_VOCAB;
        }
        return spec;
    }
}
