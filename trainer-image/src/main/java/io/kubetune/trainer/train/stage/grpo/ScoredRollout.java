package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.rollout.Rollout;
import java.util.Map;

/**
 * One micro-batch's rollout once rewarded: what the loss trains on.
 *
 * @param rollout the prompts and sampled completions
 * @param rewards each completion's weighted reward sum
 * @param advantages each completion's group-normalised advantage
 * @param metrics the rollout's metrics as TRL names them (reward, rewards/<name>/mean,
 *     completions/...), summed so that micro-batches add up
 */
record ScoredRollout(
        Rollout rollout, float[] rewards, float[] advantages, Map<String, Metric> metrics) {}
