package io.kubetune.trainer.train.stage.rollout;

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
 * Sampled answers appended to the run's {@code generations.jsonl} as lines of stage {@code
 * rollout}, numbered by rollout call; the stages add what they score the answers with.
 */
public final class RolloutLines {
    private final Path file;
    private final HfTokenizer tokenizer;
    private final Gson gson = new Gson();
    private long calls;

    public RolloutLines(StageContext context, HfTokenizer tokenizer) {
        this.file = context.outputDir().map(d -> d.resolve("generations.jsonl")).orElse(null);
        this.tokenizer = tokenizer;
    }

    /** Counts one more rollout call; false when the run writes no files. */
    public boolean next() {
        calls++;
        return file != null;
    }

    /** A line with the call, the decoded prompt and answer. */
    public JsonObject line(long[] prompt, long[] answer) {
        JsonObject line = new JsonObject();
        line.addProperty("stage", "rollout");
        line.addProperty("call", calls);
        line.addProperty("prompt", tokenizer.decode(prompt, true));
        line.addProperty("answer", tokenizer.decode(answer, true));
        return line;
    }

    /** Appends the lines to generations.jsonl. */
    public void append(List<JsonObject> lines) {
        StringBuilder text = new StringBuilder();
        for (JsonObject line : lines) {
            text.append(gson.toJson(line)).append('\n');
        }
        try {
            Files.writeString(
                    file,
                    text,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
