package io.kubetune.trainer.peft;

import ai.djl.Device;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A reward model to score with, as the two forms a stage rm run writes it: a merged
 * *ForSequenceClassification checkpoint, or the base model with the LoRA adapter whose {@code
 * modules_to_save} holds the score head (PEFT's form, which PEFT and kubetune both write). Either
 * way the head comes from a file: a reward model without one is refused, never given a random head.
 */
public final class RewardModels {
    private RewardModels() {}

    /**
     * @param modelDir the merged reward model, or the base model the adapter was trained on
     * @param adapterDir a PEFT LoRA adapter folder, or null
     */
    public static PretrainedModel load(
            Path modelDir, Path adapterDir, Device device, Precision precision) throws IOException {
        boolean headInAdapter = adapterDir != null && ScoreHeadAdapter.savesHead(adapterDir);
        if (adapterDir != null && !headInAdapter && !hasHead(modelDir)) {
            throw new IllegalArgumentException(
                    adapterDir
                            + " is no reward adapter: its adapter_config.json has no score in"
                            + " modules_to_save, and "
                            + modelDir
                            + " has no "
                            + DecoderLm.SCORE_WEIGHT
                            + " either; use the adapter/ folder of a stage rm run");
        }
        PretrainedModel model =
                PretrainedModel.load(
                        modelDir,
                        device,
                        precision,
                        headInAdapter ? Heads.NEW_REWARD_MODEL : Heads.REWARD_MODEL);
        try {
            if (adapterDir != null) {
                new LoraMethod()
                        .read(adapterDir, model.block(), precision.dataType(), model.manager());
            }
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Whether a model folder holds a reward model's score head ({@code score.weight}). */
    public static boolean hasHead(Path modelDir) throws IOException {
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            return checkpoint.contains(DecoderLm.SCORE_WEIGHT);
        }
    }
}
