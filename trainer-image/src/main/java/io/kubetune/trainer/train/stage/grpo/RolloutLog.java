package io.kubetune.trainer.train.stage.grpo;

import com.google.gson.JsonObject;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.rollout.RolloutLines;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends a few sampled completions of each step to the run's {@code generations.jsonl} (stage
 * {@code rollout}), with their reward and advantage, so a user sees what the rewards reward.
 */
final class RolloutLog implements java.util.function.Consumer<List<ScoredRollout>> {
    private static final int ROWS_PER_STEP = 2;

    private final RolloutLines lines;

    RolloutLog(StageContext context, HfTokenizer tokenizer) {
        this.lines = new RolloutLines(context, tokenizer);
    }

    @Override
    public void accept(List<ScoredRollout> step) {
        if (!lines.next() || step.isEmpty()) {
            return;
        }
        ScoredRollout first = step.get(0);
        List<JsonObject> rows = new ArrayList<>();
        for (int r = 0; r < Math.min(ROWS_PER_STEP, first.rollout().rows()); r++) {
            JsonObject line =
                    lines.line(
                            first.rollout().prompts().get(r),
                            first.rollout().completions().tokens()[r]);
            line.addProperty("reward", first.rewards()[r]);
            line.addProperty("advantage", first.advantages()[r]);
            rows.add(line);
        }
        lines.append(rows);
    }
}
