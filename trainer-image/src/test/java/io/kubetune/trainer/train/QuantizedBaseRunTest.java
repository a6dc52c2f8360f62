package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Quantization;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.weights.Quantizer;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A QDoRA job end to end: an nf4 base, DoRA adapters, a PEFT adapter and a dense merged model. */
class QuantizedBaseRunTest {
    private static final Path LLAMA = TinyJob.LLAMA;

    @TempDir Path dir;

    @Test
    void doraOnAnNf4BaseLearnsAndWritesADoraAdapterAndADenseMergedModel() throws IOException {
        FineTuneJobSpec spec = FineTuneRunTest.spec(8);
        spec.method.quantization = Quantization.NF4;
        spec.method.lora.dora = true;
        spec.output.mergeModel = true;
        TinyJob.Ran ran =
                TinyJob.run(
                        spec,
                        TinyJob.LLAMA,
                        FineTuneRunTest.instructions(dir.resolve("t.jsonl")),
                        dir.resolve("out"));
        FineTuneRun.Outcome outcome = ran.outcome();
        List<StepResult> steps = ran.steps();

        assertThat(steps.get(steps.size() - 1).loss()).isLessThan(steps.get(0).loss());
        assertThat(Files.readString(outcome.adapterDir().resolve(PeftAdapterFormat.CONFIG)))
                .contains("\"use_dora\": true");
        try (SafetensorsFile adapter =
                SafetensorsFile.open(outcome.adapterDir().resolve(PeftAdapterFormat.WEIGHTS))) {
            assertThat(adapter.names())
                    .as("the adapter holds LoRA and DoRA tensors only, nothing quantized")
                    .contains(
                            "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector")
                    .allMatch(n -> n.contains(".lora_"));
        }
        long[] ids = {5, 17, 300, 42, 1001, 7};
        try (PretrainedModel merged =
                        PretrainedModel.load(outcome.modelDir(), Device.cpu(), Precision.FP32);
                PretrainedModel base =
                        PretrainedModel.load(
                                LLAMA,
                                Device.cpu(),
                                Precision.FP32,
                                Heads.LM,
                                Quantizer.of(spec.method).orElseThrow());
                NDManager scope = NDManager.newBaseManager()) {
            PeftAdapterFormat.read(
                    outcome.adapterDir(), base.block(), DataType.FLOAT32, base.manager());
            NDArray input = scope.create(ids).expandDims(0);
            NDArray a = merged.block().logits(merged.parameterStore(), ModelInput.of(input), false);
            NDArray b = base.block().logits(base.parameterStore(), ModelInput.of(input), false);
            assertThat(a.sub(b).abs().max().getFloat())
                    .as("the dense merged model vs the nf4 base with the DoRA adapter")
                    .isLessThanOrEqualTo(1e-4f);
        }
    }
}
