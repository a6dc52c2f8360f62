package io.kubetune.trainer.train.stage.ppo;

/**
 * One micro-batch of a PPO epoch: its rows of the rollout as the model reads them, and the same
 * rows' old log-probs, values, advantages and returns.
 */
public record PpoMicroBatch(QueryResponses rows, RolloutAdvantages rollout) {}
