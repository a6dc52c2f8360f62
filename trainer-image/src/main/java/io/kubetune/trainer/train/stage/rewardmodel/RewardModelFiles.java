package io.kubetune.trainer.train.stage.rewardmodel;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.peft.RewardModels;
import io.kubetune.trainer.train.FineTuneRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reward model of stages ppo and grpo (spec.rewardModel) as a stage rm run wrote it: a merged
 * model with a score head, or an adapter/ folder applied to the policy's base ({@link
 * RewardAdapter}). Checked when the data is prepared, loaded frozen when training starts.
 *
 * @param modelDir the reward model folder (merged model or adapter)
 * @param baseDir the folder the reward adapter is applied to (the policy's base), or null for a
 *     merged model
 * @param uri spec.rewardModel.uri as the user wrote it, for messages and the metric name
 */
public record RewardModelFiles(Path modelDir, Path baseDir, String uri) {

    /**
     * @throws IllegalArgumentException naming spec.rewardModel.uri when it is not resolved or has
     *     no score head
     */
    public static RewardModelFiles of(FineTuneJobSpec spec, FineTuneRun.Inputs inputs)
            throws IOException {
        Path dir = inputs.rewardModelDir();
        if (dir == null) {
            throw new IllegalArgumentException(
                    "spec.rewardModel.uri: not resolved to a local folder; set"
                            + " spec.rewardModel.uri");
        }
        Path base = RewardAdapter.baseOf(spec, inputs);
        if (base == null && !RewardModels.hasHead(dir)) {
            throw new IllegalArgumentException(
                    "spec.rewardModel.uri: "
                            + spec.rewardModel.uri
                            + " has no score head (score.weight); use the merged/ model or the"
                            + " adapter/ folder of a stage rm run");
        }
        return new RewardModelFiles(dir, base, spec.rewardModel.uri);
    }

    /**
     * The reward model, frozen, on the policy's device and precision; the caller closes it (e.g.
     * through StageContext.own).
     */
    public PretrainedModel loadFrozen(PretrainedModel policy) throws IOException {
        PretrainedModel model =
                baseDir != null
                        // An rm run's adapter, on the policy's own base.
                        ? RewardModels.load(
                                baseDir, modelDir, policy.manager().getDevice(), policy.precision())
                        : RewardModels.load(
                                modelDir, null, policy.manager().getDevice(), policy.precision());
        model.block().weightBindings().forEach(b -> b.parameter().freeze(true));
        return model;
    }

    /**
     * Refuses a merged reward model whose vocabulary differs from the policy's: stage ppo feeds it
     * the policy's token ids as they are (TRL's PPOTrainer assumes it too). An adapter on the
     * policy's base has the same vocabulary by making.
     */
    public void requireVocabularyOf(PretrainedModel policy) throws IOException {
        if (baseDir != null) {
            return;
        }
        int vocab = HfConfig.read(modelDir.resolve("config.json")).optInt("vocab_size", -1);
        int policyVocab = policy.config().optInt("vocab_size", -1);
        if (vocab != policyVocab) {
            throw new IllegalArgumentException(
                    "spec.rewardModel.uri: "
                            + modelDir
                            + " has vocab_size "
                            + vocab
                            + " but the policy "
                            + policyVocab
                            + "; it would misread the policy's tokens: use a reward model"
                            + " trained from the same base (a stage rm run on spec.model)");
        }
    }

    /**
     * The folder holding the reward model's tokenizer.json: the reward model's own, else (an
     * adapter without one) its base's.
     *
     * @throws IllegalArgumentException naming spec.rewardModel.uri when there is none
     */
    public Path tokenizerDir() {
        if (Files.exists(modelDir.resolve("tokenizer.json"))) {
            return modelDir;
        }
        if (baseDir != null && Files.exists(baseDir.resolve("tokenizer.json"))) {
            return baseDir;
        }
        throw new IllegalArgumentException(
                "spec.rewardModel.uri: "
                        + uri
                        + " has no tokenizer.json; stage grpo tokenizes the text it scores with"
                        + " the reward model's own tokenizer (as TRL does): use the merged/ folder"
                        + " of a stage rm run, which holds one");
    }

    /**
     * The name its metric rewards/&lt;name&gt;/mean carries: the last segment of
     * spec.rewardModel.uri (TRL: the model path's last segment), or the one before it when that is
     * an rm run's merged/ or adapter/ folder, so a run's name is shown rather than "merged".
     */
    public String metricName() {
        String[] parts = (uri == null ? modelDir.toString() : uri).split("/");
        String name = "";
        for (int i = parts.length - 1; i >= 0; i--) {
            if (parts[i].isBlank()) {
                continue;
            }
            if (name.isEmpty()) {
                name = parts[i];
                if (!name.equals("merged") && !name.equals("adapter")) {
                    return name;
                }
            } else {
                return parts[i];
            }
        }
        return name.isEmpty() ? "rewardModel" : name;
    }
}
