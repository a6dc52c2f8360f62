package io.kubetune.trainer.train.stage.grpo;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends a few sampled completions of each step to the run's {@code generations.jsonl} (stage
 * {@code rollout}), with their reward and advantage, so a user sees what the rewards reward.
 */
final class RolloutLog implements java.util.function.Consumer<List<ScoredRollout>> {
    private static final int ROWS_PER_STEP = 2;

    private final Path file;
    private final HfTokenizer tokenizer;
    private final Gson gson = new Gson();
    private long calls;

    RolloutLog(StageContext context, HfTokenizer tokenizer) {
        this.file = context.outputDir().map(d -> d.resolve("generations.jsonl")).orElse(null);
        this.tokenizer = tokenizer;
    }

    @Override
    public void accept(List<ScoredRollout> step) {
        calls++;
        if (file == null || step.isEmpty()) {
            return;
        }
        ScoredRollout first = step.get(0);
        StringBuilder lines = new StringBuilder();
        for (int r = 0; r < Math.min(ROWS_PER_STEP, first.rollout().rows()); r++) {
            JsonObject line = new JsonObject();
            line.addProperty("stage", "rollout");
            line.addProperty("call", calls);
            line.addProperty("prompt", tokenizer.decode(first.rollout().prompts().get(r), true));
            line.addProperty(
                    "answer", tokenizer.decode(first.rollout().completions().tokens()[r], true));
            line.addProperty("reward", first.rewards()[r]);
            line.addProperty("advantage", first.advantages()[r]);
            lines.append(gson.toJson(line)).append('\n');
        }
        try {
            Files.writeString(
                    file,
                    lines,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
