package io.kubetune.trainer.train.stage.rewardmodel;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import io.kubetune.trainer.peft.ScoreHeadAdapter;
import io.kubetune.trainer.train.FineTuneRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A reward model given as a stage rm run's adapter/ folder (LoRA weights plus the score head in
 * modules_to_save) rather than its merged model: it is applied to the policy's own base model, as
 * LLaMA-Factory's {@code reward_model_type: lora} applies a reward adapter to the policy's base.
 * The rm run must have trained on that base (in the sft -> rm -> ppo chain both start from the sft
 * model).
 */
final class RewardAdapter {
    private RewardAdapter() {}

    /**
     * The folder to apply the reward adapter to (the policy's base), or null when the reward model
     * is a full model.
     *
     * @throws IllegalArgumentException naming spec.rewardModel.uri when the adapter has no score
     *     head, or spec.model.adapter when the policy's base is not one folder
     */
    static Path baseOf(FineTuneJobSpec spec, FineTuneRun.Inputs inputs) throws IOException {
        Path dir = inputs.rewardModelDir();
        if (!Files.exists(dir.resolve(PeftAdapterFormat.CONFIG))) {
            return null;
        }
        if (!ScoreHeadAdapter.savesHead(dir)) {
            throw new IllegalArgumentException(
                    "spec.rewardModel.uri: "
                            + spec.rewardModel.uri
                            + " is a LoRA adapter without a score head (no score in its"
                            + " modules_to_save); use the adapter/ or merged/ folder of a stage rm"
                            + " run");
        }
        if (inputs.adapterDir() != null) {
            throw new IllegalArgumentException(
                    "spec.model.adapter: the reward model is an adapter, which is applied to the"
                            + " policy's base, but the policy is itself a base plus an adapter;"
                            + " use the merged model of the run that trained it as spec.model, or"
                            + " a merged reward model (output.mergeModel: true on the rm job)");
        }
        return inputs.modelDir();
    }
}
