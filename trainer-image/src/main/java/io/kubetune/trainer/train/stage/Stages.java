package io.kubetune.trainer.train.stage;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The stages this trainer runs, by {@code spec.stage}. */
public final class Stages {
    private static final Map<Stage, Supplier<TrainingStage<?>>> BUILT = new EnumMap<>(Stage.class);

    static {
        BUILT.put(Stage.PT, () -> new CausalLmStage(Stage.PT));
        BUILT.put(Stage.SFT, () -> new CausalLmStage(Stage.SFT));
        BUILT.put(Stage.RM, io.kubetune.trainer.train.stage.preference.RewardStage::new);
        BUILT.put(Stage.DPO, io.kubetune.trainer.train.stage.preference.DpoStage::new);
        BUILT.put(Stage.KTO, io.kubetune.trainer.train.stage.preference.KtoStage::new);
        BUILT.put(Stage.GRPO, io.kubetune.trainer.train.stage.grpo.GrpoStage::new);
        BUILT.put(Stage.PPO, io.kubetune.trainer.train.stage.ppo.PpoStage::new);
    }

    private Stages() {}

    /**
     * The stage a job asks for.
     *
     * @throws IllegalArgumentException naming spec.stage when this trainer does not run it
     */
    public static TrainingStage<?> of(Stage stage) {
        Supplier<TrainingStage<?>> made = BUILT.get(stage);
        if (made == null) {
            throw new IllegalArgumentException(
                    "spec.stage: "
                            + (stage == null ? "null" : name(stage))
                            + " is not run by this trainer version; use one of "
                            + BUILT.keySet().stream()
                                    .map(Stages::name)
                                    .collect(Collectors.joining(", ")));
        }
        return made.get();
    }

    /**
     * Refuses a job whose stage is not built or whose spec that stage cannot run: call it before
     * anything is downloaded.
     */
    public static TrainingStage<?> validate(FineTuneJobSpec spec) {
        TrainingStage<?> stage = of(spec.stage);
        stage.validate(spec);
        return stage;
    }

    private static String name(Stage stage) {
        return stage.name().toLowerCase(java.util.Locale.ROOT);
    }
}
