/**
 * What the on-policy stages (grpo, ppo) share: a {@link
 * io.kubetune.trainer.train.stage.rollout.Rollout} of sampled completions, its arrays for one
 * forward pass ({@link io.kubetune.trainer.train.stage.rollout.RolloutTensors}), and the completion
 * tokens' log-probs at the sampling temperature ({@link
 * io.kubetune.trainer.train.stage.rollout.TokenLogps}). Sampling itself is {@link
 * io.kubetune.trainer.generate.BatchGenerator}.
 */
package io.kubetune.trainer.train.stage.rollout;
