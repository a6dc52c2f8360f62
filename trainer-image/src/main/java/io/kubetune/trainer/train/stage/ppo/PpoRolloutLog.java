package io.kubetune.trainer.train.stage.ppo;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiConsumer;

/**
 * Appends a few answers of each rollout batch to the run's {@code generations.jsonl} (stage {@code
 * rollout}) with the reward model's score, so a user sees what the reward model rewards.
 */
final class PpoRolloutLog implements BiConsumer<Completions, RolloutScoring.Scored> {
    private static final int ROWS_PER_ROLLOUT = 2;

    private final Path file;
    private final HfTokenizer tokenizer;
    private final Gson gson = new Gson();
    private long calls;

    PpoRolloutLog(StageContext context, HfTokenizer tokenizer) {
        this.file = context.outputDir().map(d -> d.resolve("generations.jsonl")).orElse(null);
        this.tokenizer = tokenizer;
    }

    @Override
    public void accept(Completions sampled, RolloutScoring.Scored scored) {
        calls++;
        if (file == null) {
            return;
        }
        float[] scores = scored.advantages().scores().toFloatArray();
        int context = scored.rows().contextLength();
        StringBuilder lines = new StringBuilder();
        for (int r = 0; r < Math.min(ROWS_PER_ROLLOUT, sampled.rows()); r++) {
            long[] prompt = java.util.Arrays.copyOf(scored.queryResponses()[r], context);
            JsonObject line = new JsonObject();
            line.addProperty("stage", "rollout");
            line.addProperty("call", calls);
            line.addProperty("prompt", tokenizer.decode(prompt, true));
            line.addProperty("answer", tokenizer.decode(sampled.tokens()[r], true));
            line.addProperty("score", scores[r]);
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
