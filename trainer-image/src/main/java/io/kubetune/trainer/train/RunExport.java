package io.kubetune.trainer.train;

import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfModelWriter;
import io.kubetune.trainer.peft.Adapters;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a run's results: the PEFT adapter ({@code adapter/}, and {@code best-adapter/} at the best
 * evaluation), the trained model ({@code model/}) under full and freeze fine-tuning, and the merged
 * model ({@code merged/}) under a PEFT method when asked for.
 */
final class RunExport {
    private final PretrainedModel model;
    private final Adapters adapters;
    private final Path outputDir;
    private final Path baseModelDir;
    private final String baseModelName;
    private final boolean mergeModel;

    /**
     * @param adapters the PEFT adapters, or null under full and freeze fine-tuning
     * @param baseModelDir the model folder trained from, whose tokenizer and config files the
     *     written model copies
     * @param baseModelName {@code base_model_name_or_path} of adapters
     */
    RunExport(
            PretrainedModel model,
            Adapters adapters,
            Path outputDir,
            Path baseModelDir,
            String baseModelName,
            boolean mergeModel) {
        this.model = model;
        this.adapters = adapters;
        this.outputDir = outputDir;
        this.baseModelDir = baseModelDir;
        this.baseModelName = baseModelName;
        this.mergeModel = mergeModel;
    }

    /** Writes {@code adapter/}; null without adapters. */
    Path adapter() throws IOException {
        return write(outputDir.resolve("adapter"));
    }

    /** Writes {@code best-adapter/} (without adapters: nothing). */
    void bestAdapter() throws IOException {
        write(outputDir.resolve("best-adapter"));
    }

    /**
     * Writes the trained model, or under a PEFT method the merged one when asked for (merging
     * removes the adapters: call it last). Returns its folder, or null when nothing is written.
     */
    Path model() throws IOException {
        if (adapters != null && !mergeModel) {
            return null;
        }
        if (adapters != null) {
            adapters.merge();
        }
        Path dir = outputDir.resolve(adapters == null ? "model" : "merged");
        HfModelWriter.write(dir, model, baseModelDir, DataType.FLOAT32);
        return dir;
    }

    private Path write(Path dir) throws IOException {
        if (adapters == null) {
            return null;
        }
        adapters.write(dir, baseModelName);
        return dir;
    }
}
