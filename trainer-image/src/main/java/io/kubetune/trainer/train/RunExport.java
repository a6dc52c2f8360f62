package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfModelWriter;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.peft.ScoreHeadAdapter;
import io.kubetune.trainer.prompt.AdapterTemplate;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a run's results: the PEFT adapter ({@code adapter/}, and {@code best-adapter/} at the best
 * evaluation), the trained model ({@code model/}) under full and freeze fine-tuning, and the merged
 * model ({@code merged/}) under a PEFT method when asked for.
 */
final class RunExport {
    private final PretrainedModel model;
    private final Adapters adapters;
    private final Map<String, Parameter> trained;
    private final Path outputDir;
    private final Path baseModelDir;
    private final String baseModelName;
    private final boolean mergeModel;
    private final PromptTemplate template;
    private final SpecialTokens specialTokens;
    private io.kubetune.trainer.train.stage.Objective<?> objective;

    /**
     * @param adapters the PEFT adapters, or null under full and freeze fine-tuning
     * @param trained the weights the run trained, checked to be finite before anything is written
     * @param baseModelDir the model folder trained from, whose tokenizer and config files the
     *     written model copies
     * @param baseModelName {@code base_model_name_or_path} of adapters
     * @param template the prompt template trained with, saved beside adapters for generate and chat
     * @param specialTokens the tokenizer's, to tell which template "model" resolved to
     */
    RunExport(
            PretrainedModel model,
            Adapters adapters,
            Map<String, Parameter> trained,
            Path outputDir,
            Path baseModelDir,
            String baseModelName,
            boolean mergeModel,
            PromptTemplate template,
            SpecialTokens specialTokens) {
        this.model = model;
        this.adapters = adapters;
        this.trained = trained;
        this.outputDir = outputDir;
        this.baseModelDir = baseModelDir;
        this.baseModelName = baseModelName;
        this.mergeModel = mergeModel;
        this.template = template;
        this.specialTokens = specialTokens;
    }

    /**
     * Also writes the objective's own weights beside every adapter and model written (PPO's
     * value_head.safetensors, as LLaMA-Factory saves it).
     */
    RunExport withObjectiveFiles(io.kubetune.trainer.train.stage.Objective<?> files) {
        this.objective = files;
        return this;
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
            checkFinite(adapters.trainable());
            adapters.merge();
        } else {
            checkFinite(trained);
        }
        Path dir = outputDir.resolve(adapters == null ? "model" : "merged");
        HfModelWriter.write(dir, model, baseModelDir, DataType.FLOAT32);
        if (objective != null) {
            objective.writeFiles(dir);
        }
        return dir;
    }

    private Path write(Path dir) throws IOException {
        if (adapters == null) {
            return null;
        }
        checkFinite(adapters.trainable());
        adapters.write(dir, baseModelName);
        AdapterTemplate.write(dir, template, specialTokens);
        if (model.block().scoreHead() != null) {
            ScoreHeadAdapter.add(dir, model.block().scoreHead().weight().getArray());
        }
        if (objective != null) {
            objective.writeFiles(dir);
        }
        return dir;
    }

    /** Never writes NaN or Inf: a run that diverged fails instead. */
    private static void checkFinite(Map<String, Parameter> weights) {
        for (Map.Entry<String, Parameter> weight : weights.entrySet()) {
            NDArray array = weight.getValue().getArray();
            boolean finite;
            try (NDManager scratch = array.getManager().newSubManager()) {
                // NaN and Inf survive a sum; F32 so that an FP16 sum does not overflow.
                NDArray wide = array.toType(DataType.FLOAT32, true);
                wide.attach(scratch);
                NDArray total = wide.sum();
                total.attach(scratch);
                finite = Float.isFinite(total.getFloat());
            }
            if (!finite) {
                throw new IllegalStateException(
                        "weight "
                                + weight.getKey()
                                + " holds NaN or Inf after training, so nothing is exported;"
                                + " lower spec.training.learningRate or check the model files");
            }
        }
    }
}
