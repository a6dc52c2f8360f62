package io.kubetune.trainer.train.stage.preference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.PreferenceSpec;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Five reward-model steps match TRL 1.16's RewardTrainer: score head at the last non-padding token,
 * margin column, reward centring (full), the score head trained beside LoRA (lora).
 */
class RewardParityTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "rm-full, rm-full-initial-score.safetensors, score.weight",
        "rm-lora, rm-lora-initial-adapter/adapter_model.safetensors, base_model.model.score.weight"
    })
    void fiveStepsFollowTrl(String run, String scoreFile, String scoreKey) throws Exception {
        PreferenceSpec spec = new PreferenceSpec();
        if (PreferenceFixtures.run(run).get("preference").has("centerRewards")) {
            spec.centerRewards =
                    PreferenceFixtures.run(run).get("preference").get("centerRewards").asText();
        }
        PairBatch batch = PreferenceFixtures.wholeDataset(PairTokenizer.Overflow.DROP);
        try (PretrainedModel model =
                PretrainedModel.load(
                        PreferenceFixtures.LLAMA,
                        Device.cpu(),
                        Precision.FP32,
                        Heads.NEW_REWARD_MODEL)) {
            Map<String, Parameter> trainable =
                    new LinkedHashMap<>(PreferenceFixtures.trainable(model, run, a -> null));
            Parameter score = model.block().scoreHead().weight();
            setFrom(score, PreferenceFixtures.DIR.resolve(scoreFile), scoreKey, model);
            score.freeze(false);
            trainable.put(DecoderLm.SCORE_WEIGHT, score);
            PreferenceFixtures.assertFollows(
                    run,
                    model,
                    new RewardObjective(PreferenceSettings.of(spec)),
                    trainable,
                    batch,
                    Set.of("accuracy", "margin"));
        }
    }

    /** The initial score head TRL trained from, so both sides start equal. */
    private static void setFrom(Parameter target, Path file, String key, PretrainedModel model)
            throws Exception {
        try (SafetensorsFile weights = SafetensorsFile.open(file);
                TensorLoader loader = new TensorLoader()) {
            NDArray value =
                    loader.load(
                            weights.tensor(key),
                            WeightLayout.AS_IS,
                            model.manager(),
                            DataType.FLOAT32);
            target.getArray().set(value.toFloatArray());
            value.close();
        }
    }
}
