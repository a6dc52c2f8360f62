package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.AdapterSource;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfModelWriter;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.peft.StartingAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that starts from base plus a PEFT adapter (spec.model.adapter) trains as one started from
 * the merged model: the merge gives PEFT's logits, and the first loss is the merged model's.
 */
class StartingAdapterRunTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final Path PEFT = Path.of("src/test/resources/fixtures/peft");
    private static final long[] IDS = {5, 17, 300, 42, 1001, 7, 2048, 99, 3, 64};

    @TempDir Path dir;

    @Test
    void aLoraAdapterFoldedIntoTheBaseGivesPeftsLogits() throws IOException {
        assertMergedMatchesPeft(PEFT.resolve("peft-written"), "logits");
    }

    @Test
    void aDoraAdapterFoldedIntoTheBaseGivesPeftsLogits() throws IOException {
        assertMergedMatchesPeft(PEFT.resolve("dora-peft-written"), "logits");
    }

    @Test
    void aJobFromBasePlusAdapterStartsWithTheMergedModelsLoss() throws IOException {
        Path adapter = PEFT.resolve("peft-written");
        Path merged = dir.resolve("merged");
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            StartingAdapter.mergeInto(adapter, model);
            HfModelWriter.write(merged, model, LLAMA, DataType.FLOAT32);
        }
        Path data = FineTuneRunTest.instructions(dir.resolve("train.jsonl"));

        List<StepResult> fromAdapter =
                run(new FineTuneRun.Inputs(LLAMA, List.of(data), null).withAdapter(adapter), "a");
        List<StepResult> fromMerged = run(new FineTuneRun.Inputs(merged, List.of(data), null), "m");
        List<StepResult> fromBase = run(new FineTuneRun.Inputs(LLAMA, List.of(data), null), "b");

        assertThat(fromAdapter.get(0).loss())
                .as("step-0 loss from base + adapter vs from the merged model")
                .isCloseTo(fromMerged.get(0).loss(), within(1e-5));
        assertThat(fromAdapter.get(2).loss())
                .as("the new LoRA trains the same on top of either")
                .isCloseTo(fromMerged.get(2).loss(), within(1e-4));
        assertThat(Math.abs(fromAdapter.get(0).loss() - fromBase.get(0).loss()))
                .as("the adapter changed the starting loss")
                .isGreaterThan(1e-3);
    }

    @Test
    void aPromptLearningAdapterIsRefusedNamingTheField() {
        Path prompt = PEFT.resolve("prompt-learning/prompt-tuning-peft-written");
        assertThatThrownBy(() -> StartingAdapter.refuseUnmergeable(prompt))
                .isInstanceOf(UserInputException.class)
                .hasMessageStartingWith("spec.model.adapter.uri: ")
                .hasMessageContaining("PROMPT_TUNING adapter, which cannot be merged")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aFolderWithoutAdapterConfigIsRefused() {
        assertThatThrownBy(() -> StartingAdapter.refuseUnmergeable(LLAMA))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("has no adapter_config.json");
    }

    private List<StepResult> run(FineTuneRun.Inputs inputs, String out) throws IOException {
        FineTuneJobSpec spec = FineTuneRunTest.spec(3);
        spec.method.lora.dropout = "0";
        if (inputs.adapterDir() != null) {
            spec.model.adapter = new AdapterSource();
            spec.model.adapter.uri = "/adapters/sft";
        }
        List<StepResult> steps = TinyJob.run(spec, inputs, dir.resolve(out), List.of()).steps();
        assertThat(steps).hasSize(3);
        return steps;
    }

    private static void assertMergedMatchesPeft(Path adapter, String key) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = NDManager.newBaseManager();
                SafetensorsFile expected =
                        SafetensorsFile.open(adapter.resolve("reference_logits.safetensors"));
                TensorLoader loader = new TensorLoader()) {
            StartingAdapter.mergeInto(adapter, model);
            NDArray input = scope.create(IDS).expandDims(0);
            NDArray ours =
                    model.block()
                            .logits(model.parameterStore(), ModelInput.of(input), false)
                            .squeeze(0);
            NDArray peft =
                    loader.load(expected.tensor(key), WeightLayout.AS_IS, scope, DataType.FLOAT32);
            assertThat(ours.sub(peft).abs().max().getFloat())
                    .as("max |logit difference| merged %s vs peft", adapter.getFileName())
                    .isLessThanOrEqualTo(1e-5f);
        }
    }
}
