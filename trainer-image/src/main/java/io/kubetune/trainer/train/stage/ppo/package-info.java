/**
 * PPO as TRL's experimental PPOTrainer computes it (trl 1.12.0, the last release that ships it:
 * trl/experimental/ppo/ppo_trainer.py), everything but sampling and the stage's wiring.
 *
 * <ul>
 *   <li>The math, pure functions on arrays: {@link
 *       io.kubetune.trainer.train.stage.ppo.ResponseMasks} (cut after the stop token, padding
 *       masks), {@link io.kubetune.trainer.train.stage.ppo.TokenRewards} (KL-penalised per-token
 *       rewards with the score), {@link io.kubetune.trainer.train.stage.ppo.Gae}, {@link
 *       io.kubetune.trainer.train.stage.ppo.MaskedStats} (whitening), {@link
 *       io.kubetune.trainer.train.stage.ppo.PpoLoss} (clipped policy and value losses) and {@link
 *       io.kubetune.trainer.train.stage.ppo.PpoStats} (TRL's logged metrics).
 *   <li>With models: {@link io.kubetune.trainer.train.stage.ppo.RolloutScoring} turns sampled
 *       responses into {@link io.kubetune.trainer.train.stage.ppo.RolloutAdvantages} (reference
 *       log-probs, values, reward-model scores), {@link
 *       io.kubetune.trainer.train.stage.ppo.PpoEpochs} orders the epochs' micro-batches, and {@link
 *       io.kubetune.trainer.train.stage.ppo.PpoObjective} is the loss the shared training loop
 *       minimises, with values from a separate value model (TRL) or a value head on the policy
 *       (LLaMA-Factory), see {@link io.kubetune.trainer.train.stage.ppo.ValueFunction}.
 * </ul>
 */
package io.kubetune.trainer.train.stage.ppo;
