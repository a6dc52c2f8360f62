package io.kubetune.trainer.train.stage;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.Adapters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a stage's objective may use: the job, the model being trained, its adapters (under a PEFT
 * method) and, made on first request, the {@link ReferenceModel}. The run closes it at the end.
 */
public final class StageContext implements AutoCloseable {
    /** Loads a fresh copy of the base model, as the run loaded the trained one. */
    public interface ModelLoader {
        PretrainedModel load() throws IOException;
    }

    private final FineTuneJobSpec spec;
    private final PretrainedModel model;
    private final Adapters adapters;
    private final ModelLoader baseModel;
    private final Path outputDir;
    private ReferenceModel reference;
    private final java.util.List<AutoCloseable> owned = new java.util.ArrayList<>();

    /**
     * @param adapters the PEFT adapters, or null under full or freeze fine-tuning
     * @param baseModel loads the frozen copy a reference needs when there are no adapters
     */
    public StageContext(
            FineTuneJobSpec spec, PretrainedModel model, Adapters adapters, ModelLoader baseModel) {
        this(spec, model, adapters, baseModel, null);
    }

    /**
     * @param outputDir the run's output folder, where a stage may add files of its own (sampled
     *     rollouts in generations.jsonl), or null
     */
    public StageContext(
            FineTuneJobSpec spec,
            PretrainedModel model,
            Adapters adapters,
            ModelLoader baseModel,
            Path outputDir) {
        this.spec = spec;
        this.model = model;
        this.adapters = adapters;
        this.baseModel = baseModel;
        this.outputDir = outputDir;
    }

    /** The run's output folder, when the run has one. */
    public Optional<Path> outputDir() {
        return Optional.ofNullable(outputDir);
    }

    public FineTuneJobSpec spec() {
        return spec;
    }

    public PretrainedModel model() {
        return model;
    }

    public Optional<Adapters> adapters() {
        return Optional.ofNullable(adapters);
    }

    /**
     * The model before training: adapters off under a PEFT method (no second copy), else a frozen
     * copy of the base model loaded from disk now (on a resume too).
     */
    public synchronized ReferenceModel referenceModel() {
        if (reference == null) {
            reference =
                    adapters != null
                            ? ReferenceModel.adaptersDisabled(model, adapters)
                            : ReferenceModel.frozenCopy(loadBase());
        }
        return reference;
    }

    private PretrainedModel loadBase() {
        try {
            return baseModel.load();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes {@code resource} with this context, at the end of the run (a stage's extra models,
     * such as PPO's reward model).
     */
    public synchronized <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        if (reference != null) {
            reference.close();
        }
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not close " + resource, e);
            }
        }
        owned.clear();
    }
}
