package io.kubetune.trainer.cli;

import io.kubetune.api.v1alpha1.Quantization;
import io.kubetune.trainer.model.DeviceProbe;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.weights.Quantizer;
import io.kubetune.trainer.peft.PeftMethod;
import io.kubetune.trainer.peft.StartingAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The model, optional PEFT adapter and device of the commands that run a trained model. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR", description = "The model folder (required).")
    Path model;

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description =
                    "A PEFT adapter folder (LoRA, DoRA, prompt, prefix or P-tuning; e.g. runs/<job>/adapter).")
    Path adapter;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description =
                    "auto (a GPU when the engine sees one, else the CPU), cpu or cuda[:N]"
                            + " (default ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--precision",
            defaultValue = "auto",
            description =
                    "auto (fp32 on the CPU, bf16 on GPUs of compute capability 8.0+, else fp16),"
                            + " fp32, fp16 or bf16 (default ${DEFAULT-VALUE}).")
    String precision;

    /** An EvalJob's spec.model.adapter: folded into the model before {@link #adapter}. */
    Path baseAdapter;

    @Option(
            names = "--quantization",
            defaultValue = "none",
            description =
                    "Hold the decoder layers' linear weights as bitsandbytes does: none, int8"
                            + " (LLM.int8) or nf4 (QLoRA's 4-bit); embeddings, norms and the LM"
                            + " head stay dense (default ${DEFAULT-VALUE}).")
    String quantization;

    @Option(
            names = "--double-quant",
            negatable = true,
            description =
                    "nf4 only: also quantize the block scales (bitsandbytes' double quantization;"
                            + " default on with nf4).")
    Boolean doubleQuant;

    private final DeviceProbe probe;
    private ComputeTarget target;

    ModelOptions() {
        this(DeviceProbe.engine());
    }

    ModelOptions(DeviceProbe probe) {
        this.probe = probe;
    }

    /**
     * The device and precision, chosen once (a GPU asked for and not seen fails here, before
     * anything is downloaded).
     */
    ComputeTarget target() {
        if (target == null) {
            io.kubetune.api.v1alpha1.Precision requested =
                    precision.equalsIgnoreCase("auto")
                            ? io.kubetune.api.v1alpha1.Precision.AUTO
                            : Precision.parse(precision).toSpec();
            target = ComputeTarget.choose(device, requested, probe);
        }
        return target;
    }

    /** An EvalJob's {@code spec.precision} instead of {@code --precision}. */
    void usePrecision(io.kubetune.api.v1alpha1.Precision requested) {
        precision = requested == null ? "auto" : requested.name().toLowerCase(Locale.ROOT);
    }

    /**
     * An EvalJob's {@code spec.quantization} and {@code spec.doubleQuant} instead of the options.
     */
    void useQuantization(Quantization requested, Boolean nested) {
        quantization = requested == null ? "none" : requested.name().toLowerCase(Locale.ROOT);
        doubleQuant = nested;
    }

    /** The quantizer asked for, the same one a FineTuneJob's method.quantization gives. */
    Optional<Quantizer> quantizer() {
        Quantization q = Quantizer.parse(quantization);
        if (doubleQuant != null && q != Quantization.NF4) {
            throw new IllegalArgumentException(
                    "--double-quant applies to --quantization nf4 only (got "
                            + quantization
                            + "): remove it or use --quantization nf4");
        }
        return Quantizer.of(q, doubleQuant);
    }

    /** The model in the chosen precision with the adapter, if any, attached. */
    PretrainedModel load() throws IOException {
        if (model == null) {
            // Not required by picocli: `kubetune eval EVALJOB.yaml` takes the model from the job.
            throw new IllegalArgumentException("--model DIR is required: the model folder");
        }
        Quantizer quantizer = quantizer().orElse(null);
        ComputeTarget chosen = target();
        PretrainedModel loaded =
                PretrainedModel.load(
                        model, chosen.device(), chosen.precision(), Heads.LM, quantizer);
        try {
            if (baseAdapter != null) {
                StartingAdapter.mergeInto(baseAdapter, loaded);
            }
            if (adapter != null) {
                PeftMethod.readAny(
                        adapter, loaded.block(), chosen.precision().dataType(), loaded.manager());
            }
            return loaded;
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    String adapterName() {
        return adapter == null ? null : adapter.toString();
    }
}
