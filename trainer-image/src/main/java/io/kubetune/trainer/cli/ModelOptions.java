package io.kubetune.trainer.cli;

import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.Devices;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model, optional LoRA adapter and device of the commands that run a trained model. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR", description = "The model folder (required).")
    Path model;

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description = "A PEFT LoRA adapter folder (e.g. runs/<job>/adapter).")
    Path adapter;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu or cuda[:N] (default ${DEFAULT-VALUE}).")
    String device;

    /** The model in fp32 with the adapter, if any, attached. */
    PretrainedModel load() throws IOException {
        if (model == null) {
            // Not required by picocli: `kubetune eval EVALJOB.yaml` takes the model from the job.
            throw new IllegalArgumentException("--model DIR is required: the model folder");
        }
        PretrainedModel loaded = PretrainedModel.load(model, Devices.parse(device), Precision.FP32);
        try {
            if (adapter != null) {
                PeftAdapterFormat.read(adapter, loaded.block(), DataType.FLOAT32, loaded.manager());
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
