package io.kubetune.trainer.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends one JSON line per step and per evaluation to {@code metrics.jsonl}, with the stage's
 * metrics beside the loss (evaluation ones prefixed {@code eval_}, as transformers logs them). A
 * resumed run first drops the lines after its checkpoint, so no step appears twice.
 */
public final class MetricsLog implements TrainingListener {
    private final Path file;
    private final Gson gson = new Gson();

    public MetricsLog(Path outputDir) {
        this.file = outputDir.resolve(MetricsHistory.FILE);
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        try {
            MetricsHistory.keepUpTo(file, resumedAtStep);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        add(line, "", r.metrics());
        append(line);
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        JsonObject line = new JsonObject();
        line.addProperty("step", step);
        line.addProperty("eval_loss", evaluation.loss());
        add(line, "eval_", evaluation.metrics());
        append(line);
    }

    private static void add(JsonObject line, String prefix, Map<String, Double> metrics) {
        metrics.forEach((name, value) -> line.addProperty(prefix + name, value));
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
