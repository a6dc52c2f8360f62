package io.kubetune.trainer.train.stage.rollout;

import io.kubetune.trainer.generate.Completions;
import java.util.List;

/**
 * Completions sampled from the policy, what the on-policy stages (grpo, ppo) learn from: row {@code
 * r} is prompt {@code prompts.get(r)} followed by {@code completions.tokens()[r]}, with the
 * log-prob each token was sampled with.
 *
 * @param prompts each row's prompt ids (rows of one prompt share the array)
 * @param completions the sampled tokens, their log-probs and whether each row ended on EOS
 */
public record Rollout(List<long[]> prompts, Completions completions) {
    public Rollout {
        prompts = List.copyOf(prompts);
        if (prompts.size() != completions.rows()) {
            throw new IllegalArgumentException(
                    prompts.size() + " prompts for " + completions.rows() + " completions");
        }
    }

    /** Returns how many rows (prompt, completion) there are. */
    public int rows() {
        return prompts.size();
    }

    /** Returns how many completion tokens all rows hold together (what the loss counts). */
    public long completionTokens() {
        long n = 0;
        for (long[] row : completions.tokens()) {
            n += row.length;
        }
        return n;
    }

    /** Returns how many tokens the rows hold, prompts included (what tokens/s counts). */
    public long tokens() {
        long n = completionTokens();
        for (long[] prompt : prompts) {
            n += prompt.length;
        }
        return n;
    }
}
