package io.kubetune.trainer.train.stage.ppo;

import io.kubetune.trainer.train.stage.grpo.PromptBatch;
import java.util.List;

/**
 * One micro-batch of stage ppo's plan: which rollout batch it belongs to (its prompts, sampled once
 * before the first update that reads them) and which of that rollout's rows it trains on.
 *
 * @param rollout the rollout batch's number, the same for all its PPO epochs and mini-batches
 * @param prompts every prompt of the rollout batch (one answer each), shared by its micro-batches
 * @param rows this micro-batch's row indices into the rollout
 */
public record PpoTurn(long rollout, List<PromptBatch> prompts, int[] rows) {
    /** Returns how many prompts, hence rollout rows, the rollout batch holds. */
    public int rolloutRows() {
        return prompts.stream().mapToInt(b -> b.prompts().size()).sum();
    }
}
