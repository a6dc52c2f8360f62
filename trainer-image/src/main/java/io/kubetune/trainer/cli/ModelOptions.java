package io.kubetune.trainer.cli;

import io.kubetune.trainer.model.DeviceProbe;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.PeftMethod;
import io.kubetune.trainer.peft.StartingAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
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

    /** The model in the chosen precision with the adapter, if any, attached. */
    PretrainedModel load() throws IOException {
        if (model == null) {
            // Not required by picocli: `kubetune eval EVALJOB.yaml` takes the model from the job.
            throw new IllegalArgumentException("--model DIR is required: the model folder");
        }
        ComputeTarget chosen = target();
        PretrainedModel loaded = PretrainedModel.load(model, chosen.device(), chosen.precision());
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
