package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.rollout.Rollout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewards one generation batch (the micro-batches of a step) and normalises the rewards into
 * advantages, as TRL's {@code _generate_and_score_completions}: completions decoded without special
 * tokens, each rule's score and the reward model's (when there is one) times its weight summed,
 * advantages over the whole batch.
 */
final class RolloutScorer {
    private final List<RewardRule> rules;
    private final double[] weights;
    private final GrpoSettings settings;
    private final HfTokenizer tokenizer;
    private final RewardModelScorer rewardModel;

    /**
     * @param rewardModel spec.rewardModel's scorer, or null
     */
    RolloutScorer(
            List<RewardRule> rules,
            double[] weights,
            GrpoSettings settings,
            HfTokenizer tokenizer,
            RewardModelScorer rewardModel) {
        this.rules = List.copyOf(rules);
        this.weights = weights.clone();
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.rewardModel = rewardModel;
    }

    /** Scores the rollouts of one step's micro-batches, in order. */
    List<ScoredRollout> score(List<PromptBatch> batches, List<Rollout> rollouts) {
        List<float[]> rewards = new ArrayList<>();
        List<Map<String, Metric>> metrics = new ArrayList<>();
        List<Float> modelScores = new ArrayList<>();
        int total = 0;
        for (int b = 0; b < batches.size(); b++) {
            Map<String, Metric> m = new LinkedHashMap<>();
            rewards.add(rewards(batches.get(b), rollouts.get(b), m, modelScores));
            metrics.add(m);
            total += rewards.get(b).length;
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] r : rewards) {
            System.arraycopy(r, 0, all, at, r.length);
            at += r.length;
        }
        GroupAdvantages advantages =
                GroupAdvantages.of(all, settings.numGenerations(), settings.scaleRewards());
        // Step-wide statistics go with the first micro-batch only, once.
        metrics.get(0).put("reward_std", Metric.of(GroupAdvantages.std(all, 0, all.length)));
        metrics.get(0).put("frac_reward_zero_std", Metric.of(advantages.zeroStdFraction()));
        if (rewardModel != null) {
            float[] scores = new float[modelScores.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = modelScores.get(i);
            }
            metrics.get(0)
                    .put(
                            "rewards/" + rewardModel.name() + "/std",
                            Metric.of(GroupAdvantages.std(scores, 0, scores.length)));
        }
        List<ScoredRollout> out = new ArrayList<>();
        at = 0;
        for (int b = 0; b < batches.size(); b++) {
            int n = rewards.get(b).length;
            float[] a = java.util.Arrays.copyOfRange(advantages.advantages(), at, at + n);
            out.add(new ScoredRollout(rollouts.get(b), rewards.get(b), a, metrics.get(b)));
            at += n;
        }
        return out;
    }

    // modelScores gets the reward model's non-NaN scores, for the step-wide std (TRL's nanstd).
    private float[] rewards(
            PromptBatch batch,
            Rollout rollout,
            Map<String, Metric> metrics,
            List<Float> modelScores) {
        Completions c = rollout.completions();
        int rows = c.rows();
        float[] out = new float[rows];
        double[] perRule = new double[rules.size()];
        double lengths = 0;
        double truncated = 0;
        String[] texts = new String[rows];
        for (int r = 0; r < rows; r++) {
            texts[r] = tokenizer.decode(c.tokens()[r], true);
        }
        float[] scores = rewardModel == null ? null : modelScores(batch, texts);
        double modelSum = 0;
        for (int r = 0; r < rows; r++) {
            PromptBatch.Prompt prompt = batch.prompts().get(r / settings.numGenerations());
            String text = texts[r];
            double sum = 0;
            for (int i = 0; i < rules.size(); i++) {
                double score = rules.get(i).score(text, c.tokens()[r].length, prompt.columns());
                perRule[i] += score;
                sum += weights[i] * score;
            }
            if (scores != null && !Float.isNaN(scores[r])) {
                // TRL sums the weighted rewards with nansum: a NaN reward counts as none.
                sum += rewardModel.weight() * scores[r];
                modelSum += scores[r];
                modelScores.add(scores[r]);
            }
            out[r] = (float) sum;
            lengths += c.tokens()[r].length;
            truncated += c.endedOnEos()[r] ? 0 : 1;
        }
        double rewardSum = 0;
        for (float v : out) {
            rewardSum += v;
        }
        metrics.put("reward", new Metric(rewardSum, rows));
        for (int i = 0; i < rules.size(); i++) {
            metrics.put(metricName(i), new Metric(perRule[i], rows));
        }
        if (rewardModel != null) {
            metrics.put("rewards/" + rewardModel.name() + "/mean", new Metric(modelSum, rows));
        }
        metrics.put("completions/mean_length", new Metric(lengths, rows));
        metrics.put("completions/clipped_ratio", new Metric(truncated, rows));
        return out;
    }

    // The reward model's score of each completion, read after its prompt.
    private float[] modelScores(PromptBatch batch, String[] completions) {
        List<String> texts = new ArrayList<>();
        for (int r = 0; r < completions.length; r++) {
            PromptBatch.Prompt prompt = batch.prompts().get(r / settings.numGenerations());
            texts.add(rewardModel.text(prompt, completions[r]));
        }
        return rewardModel.score(texts);
    }

    // rewards/<name>/mean; a second rule of the same type gets its index.
    private String metricName(int i) {
        String name = rules.get(i).name();
        long same = rules.stream().filter(r -> r.name().equals(name)).count();
        return "rewards/" + (same > 1 ? name + "_" + i : name) + "/mean";
    }
}
