package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Quantization;
import io.kubetune.trainer.model.DeviceProbe;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.weights.Quantizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** generate, chat and eval on a quantized base: the FineTuneJob's quantizer, options refused. */
class QuantizedInferenceTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final long[] IDS = {5, 17, 300, 42, 1001, 7};

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(
            value = Quantization.class,
            names = {"INT8", "NF4"})
    void optionsLoadTheBaseAsAFineTuneJobDoes(Quantization quantization) throws Exception {
        ModelOptions options = new ModelOptions(DeviceProbe.engine());
        CommandLine.populateCommand(
                holder(options),
                "--model",
                LLAMA.toString(),
                "--device",
                "cpu",
                "--precision",
                "fp32",
                "--quantization",
                quantization.name().toLowerCase());
        MethodSpec method = new MethodSpec();
        method.quantization = quantization;
        try (PretrainedModel cli = options.load();
                PretrainedModel job =
                        PretrainedModel.load(
                                LLAMA,
                                Device.cpu(),
                                Precision.FP32,
                                Heads.LM,
                                Quantizer.of(method).orElseThrow());
                PretrainedModel dense = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = NDManager.newBaseManager()) {
            NDArray input = scope.create(IDS).expandDims(0);
            float[] a = logits(cli, input);
            assertThat(a)
                    .as("the same Quantizer as method.quantization")
                    .isEqualTo(logits(job, input));
            assertThat(a).as("quantized, not dense").isNotEqualTo(logits(dense, input));
        }
    }

    @Test
    void evalOnAnNf4BaseGivesAFiniteAccuracy() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = KubetuneCli.commandLine();
        cli.setErr(new PrintWriter(err, true));

        int exit =
                cli.execute(
                        "eval",
                        "--model",
                        LLAMA.toString(),
                        "--quantization",
                        "nf4",
                        "--data",
                        "src/test/resources/eval/hellaswag_items.parquet",
                        "--limit",
                        "4",
                        "--output",
                        dir.toString());

        assertThat(exit).as(err.toString()).isZero();
        String summary = Files.readString(dir.resolve("hellaswag.json"));
        double acc =
                com.google.gson.JsonParser.parseString(summary)
                        .getAsJsonObject()
                        .get("acc")
                        .getAsDouble();
        assertThat(acc).isFinite().isBetween(0.0, 1.0);
    }

    @Test
    void aBadQuantizationIsRefusedInOneLine() {
        assertRefused(
                "--quantization nf3 is not one of none, int8, nf4",
                "generate",
                "--model",
                LLAMA.toString(),
                "--quantization",
                "nf3",
                "hi");
        assertRefused(
                "--double-quant applies to --quantization nf4 only",
                "eval",
                "--model",
                LLAMA.toString(),
                "--quantization",
                "int8",
                "--double-quant",
                "--data",
                "src/test/resources/eval/hellaswag_items.parquet",
                "--output",
                dir.toString());
    }

    private static void assertRefused(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = KubetuneCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute(args)).as(err.toString()).isEqualTo(2);
        assertThat(err.toString().strip()).doesNotContain("\n").contains(message);
    }

    private static float[] logits(PretrainedModel model, NDArray input) {
        return model.block()
                .logits(model.parameterStore(), ModelInput.of(input), false)
                .toFloatArray();
    }

    /** ModelOptions is a mixin: picocli populates it through a command that holds it. */
    private static Object holder(ModelOptions options) {
        return new Holder(options);
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin ModelOptions models;

        Holder(ModelOptions models) {
            this.models = models;
        }
    }
}
