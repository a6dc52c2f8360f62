package io.kubetune.trainer.cli;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.peft.StartingAdapter;
import io.kubetune.trainer.storage.CacheDir;
import io.kubetune.trainer.storage.InputResolver;
import io.kubetune.trainer.storage.UriInputResolver;
import io.kubetune.trainer.train.FineTuneRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a job's model and data URIs to local files through an {@link InputResolver} (paths as
 * they are, a relative one against the job file's folder; hf://, s3:// and https:// downloaded),
 * unless {@code --model} or {@code --data} name local ones instead.
 */
final class JobInputs {
    private JobInputs() {}

    /**
     * The one place that chooses how a job's input URIs become local files: paths (relative ones
     * against the job file's folder), hf://, s3:// and https:// downloaded into the cache.
     */
    static InputResolver resolver(Path jobFile) {
        return new UriInputResolver(
                jobFile.toAbsolutePath().getParent(),
                CacheDir.fromEnvironment(System.getenv()),
                System.getenv());
    }

    /**
     * A model given as another FineTuneJob has no URI until the operator writes that job's model
     * URI into the job file: a job file run as it is cannot name its model.
     */
    static void refuseUnresolved(ModelSource model) {
        if (model.uri == null && model.fineTuneJobRef != null) {
            throw new UserInputException(
                    "spec.model.fineTuneJobRef "
                            + model.fineTuneJobRef.name
                            + " has no spec.model.uri: the operator writes that FineTuneJob's"
                            + " model URI into the job file before the pod starts; run it through"
                            + " the operator, or set spec.model.uri");
        }
    }

    /**
     * The reward model of stages ppo and grpo, fetched from the same sources as the base model (a
     * path, hf://, s3://); null for other stages. A fineTuneJobRef is resolved to a URI by the
     * operator.
     */
    private static Path rewardModel(FineTuneJobSpec spec, InputResolver resolver)
            throws IOException {
        if ((spec.stage != Stage.PPO && spec.stage != Stage.GRPO) || spec.rewardModel == null) {
            return null;
        }
        if (spec.rewardModel.uri == null) {
            throw new UserInputException(
                    "spec.rewardModel.fineTuneJobRef "
                            + (spec.rewardModel.fineTuneJobRef == null
                                    ? "(none)"
                                    : spec.rewardModel.fineTuneJobRef.name)
                            + " has no spec.rewardModel.uri: the operator writes that"
                            + " FineTuneJob's merged model URI into the job file before the pod"
                            + " starts; run it through the operator, or set spec.rewardModel.uri");
        }
        return resolver.resolve(spec.rewardModel.uri, "spec.rewardModel.uri");
    }

    static FineTuneRun.Inputs resolve(
            FineTuneJobSpec spec, InputResolver resolver, Path model, List<Path> data)
            throws IOException {
        if (model == null) {
            refuseUnresolved(spec.model);
        }
        // The adapter first: it is small, and a prompt-learning one is refused before the model
        // is downloaded.
        Path adapter = model == null ? startingAdapter(spec.model, resolver) : null;
        if (adapter != null) {
            StartingAdapter.refuseUnmergeable(adapter);
        }
        Path modelDir = model != null ? model : resolver.resolve(spec.model.uri, "spec.model.uri");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < spec.datasets.size(); i++) {
            files.add(
                    data != null && i < data.size()
                            ? data.get(i)
                            : resolver.resolve(
                                    spec.datasets.get(i).uri,
                                    "spec.datasets[" + i + "].uri",
                                    Boolean.TRUE.equals(spec.datasets.get(i).allowInsecureHttp)));
        }
        Path validation =
                spec.validation != null && spec.validation.uri != null
                        ? resolver.resolve(
                                spec.validation.uri,
                                "spec.validation.uri",
                                Boolean.TRUE.equals(spec.validation.allowInsecureHttp))
                        : null;
        // Adapters name their base as the user did: a remote URI as written, a folder absolute.
        String modelName =
                model == null && spec.model.uri.contains("://")
                        ? spec.model.uri
                        : modelDir.toAbsolutePath().normalize().toString();
        return new FineTuneRun.Inputs(modelDir, files, validation, modelName)
                .withAdapter(adapter)
                .withRewardModel(rewardModel(spec, resolver));
    }

    /**
     * The adapter folded into the model before training ({@code spec.model.adapter}), or null. A
     * local {@code --model} replaces the whole model, so its adapter too.
     */
    static Path startingAdapter(ModelSource model, InputResolver resolver) throws IOException {
        if (model.adapter == null) {
            return null;
        }
        if (model.adapter.uri == null) {
            throw new UserInputException(
                    "spec.model.adapter has no uri: set spec.model.adapter.uri to a PEFT LoRA"
                            + " adapter folder (to use another FineTuneJob's adapter, set"
                            + " spec.model.fineTuneJobRef and run through the operator)");
        }
        return resolver.resolve(model.adapter.uri, "spec.model.adapter.uri");
    }
}
