package io.kubetune.trainer.train.stage.ppo;

import com.google.gson.JsonObject;
import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.rollout.RolloutLines;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Appends a few answers of each rollout batch to the run's {@code generations.jsonl} (stage {@code
 * rollout}) with the reward model's score, so a user sees what the reward model rewards.
 */
final class PpoRolloutLog implements BiConsumer<Completions, RolloutScoring.Scored> {
    private static final int ROWS_PER_ROLLOUT = 2;

    private final RolloutLines lines;

    PpoRolloutLog(StageContext context, HfTokenizer tokenizer) {
        this.lines = new RolloutLines(context, tokenizer);
    }

    @Override
    public void accept(Completions sampled, RolloutScoring.Scored scored) {
        if (!lines.next()) {
            return;
        }
        float[] scores = scored.advantages().scores().toFloatArray();
        int context = scored.rows().contextLength();
        List<JsonObject> rows = new ArrayList<>();
        for (int r = 0; r < Math.min(ROWS_PER_ROLLOUT, sampled.rows()); r++) {
            long[] prompt = Arrays.copyOf(scored.queryResponses()[r], context);
            JsonObject line = lines.line(prompt, sampled.tokens()[r]);
            line.addProperty("score", scores[r]);
            rows.add(line);
        }
        lines.append(rows);
    }
}
