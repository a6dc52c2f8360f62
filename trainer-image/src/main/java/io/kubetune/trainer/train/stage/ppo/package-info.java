/**
 * PPO's deterministic parts as TRL's experimental PPOTrainer computes them (trl 1.12.0, the last
 * release that ships it: trl/experimental/ppo/ppo_trainer.py): response masks after the stop token,
 * KL-penalised per-token rewards with the reward model's score, GAE advantages and returns, masked
 * whitening, the clipped policy and value losses, and the statistics TRL logs. Pure functions on
 * arrays; no model is needed to use or test them.
 */
package io.kubetune.trainer.train.stage.ppo;
