package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.kubetune.trainer.model.Scalars;

/**
 * Generalised advantage estimation backwards over the response positions, as TRL's PPOTrainer runs
 * it: over every position (padding included, where rewards and values are 0), with the value after
 * the last position taken as 0. Returns are advantages + values, taken before whitening.
 *
 * @param advantages [B, L] raw advantages
 * @param returns [B, L] the value targets
 */
public record Gae(NDArray advantages, NDArray returns) {

    public static Gae of(NDArray rewards, NDArray values, double gamma, double lam) {
        int length = (int) rewards.getShape().get(1);
        NDArray discount = Scalars.like(rewards, gamma);
        NDArray decay = Scalars.like(rewards, gamma * lam);
        NDArray[] reversed = new NDArray[length];
        NDArray last = null;
        for (int t = length - 1; t >= 0; t--) {
            NDArray reward = rewards.get(":, " + t);
            NDArray delta =
                    t < length - 1 ? reward.add(values.get(":, " + (t + 1)).mul(discount)) : reward;
            delta = delta.sub(values.get(":, " + t));
            last = last == null ? delta : delta.add(last.mul(decay));
            reversed[t] = last;
        }
        NDArray advantages = NDArrays.stack(new NDList(reversed), 1);
        return new Gae(advantages, advantages.add(values));
    }
}
