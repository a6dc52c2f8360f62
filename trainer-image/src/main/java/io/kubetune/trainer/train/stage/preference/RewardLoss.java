package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reward model's pairwise loss as TRL 1.16's RewardTrainer computes it: mean(−log σ(r_chosen −
 * r_rejected − margin)), plus centerRewards·mean((r_chosen + r_rejected)²) when set.
 */
public final class RewardLoss {
    /**
     * @param metrics TRL's names: accuracy, margin, min_reward, mean_reward, max_reward
     */
    public record Result(NDArray loss, Map<String, Float> metrics) {}

    private final float centerRewards;

    public RewardLoss(PreferenceSettings settings) {
        this.centerRewards = settings.centerRewards();
    }

    /**
     * @param rewards {@code [2 × pairs]} scores, chosen rows first
     * @param margins {@code [pairs]}
     */
    public Result compute(NDArray rewards, NDArray margins) {
        Scalars s = new Scalars(rewards.getManager());
        NDList split = rewards.split(2);
        NDArray chosen = split.get(0);
        NDArray rejected = split.get(1);
        NDArray loss = s.logSigmoid(chosen.sub(rejected).sub(margins)).neg().mean();
        if (centerRewards > 0) {
            loss = loss.add(chosen.add(rejected).square().mean().mul(s.of(centerRewards)));
        }
        Map<String, Float> m = new LinkedHashMap<>();
        m.put("accuracy", Scalars.mean(chosen.gt(rejected).toType(DataType.FLOAT32, false)));
        m.put("margin", Scalars.mean(chosen.sub(rejected)));
        m.put("min_reward", rewards.min().toFloatArray()[0]);
        m.put("mean_reward", Scalars.mean(rewards));
        m.put("max_reward", rewards.max().toFloatArray()[0]);
        return new Result(loss, m);
    }

    /** Held-out pairwise accuracy: the share of pairs whose chosen answer scores higher. */
    public static float accuracy(NDArray rewards) {
        NDList split = rewards.split(2);
        return Scalars.mean(split.get(0).gt(split.get(1)).toType(DataType.FLOAT32, false));
    }
}
