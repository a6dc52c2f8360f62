package io.kubetune.trainer.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one JSON line per step and per evaluation to {@code metrics.jsonl}. */
public final class MetricsLog implements TrainingListener {
    private final Path file;
    private final Gson gson = new Gson();

    public MetricsLog(Path outputDir) {
        this.file = outputDir.resolve("metrics.jsonl");
    }

    @Override
    public void onStep(StepResult r, long totalSteps, double epoch) {
        JsonObject line = new JsonObject();
        line.addProperty("step", r.step());
        line.addProperty("epoch", epoch);
        line.addProperty("loss", r.loss());
        line.addProperty("learning_rate", r.learningRate());
        line.addProperty("grad_norm", r.gradNorm());
        line.addProperty("tokens_per_second", r.tokens() / Math.max(1e-9, r.seconds()));
        append(line);
    }

    @Override
    public void onEvaluation(long step, double evalLoss) {
        JsonObject line = new JsonObject();
        line.addProperty("step", step);
        line.addProperty("eval_loss", evalLoss);
        append(line);
    }

    private void append(JsonObject line) {
        try {
            Files.writeString(
                    file,
                    gson.toJson(line) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
