package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl and loss.png of a run killed after its checkpoint and resumed. */
class MetricsLogTest {
    @TempDir Path dir;

    @Test
    void aResumedRunLogsEveryStepOnceAndThePlotDrawsThemAll() throws IOException {
        MetricsLog first = new MetricsLog(dir);
        first.onStart(6, 0);
        for (int step = 1; step <= 5; step++) { // killed after step 5; checkpoint at 4
            first.onStep(step(step), 6, step / 6.0);
        }
        first.onEvaluation(4, new Evaluation(1.5, Map.of("mean_token_accuracy", 0.5)));

        MetricsLog resumed = new MetricsLog(dir);
        resumed.onStart(6, 4);
        resumed.onStep(step(5), 6, 5 / 6.0);
        resumed.onStep(step(6), 6, 1.0);
        new LossPlot(dir).onFinish(null);

        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(7);
        List<JsonObject> history = MetricsHistory.read(dir.resolve("metrics.jsonl"));
        assertThat(history)
                .extracting(o -> o.get("step").getAsLong() + (o.has("eval_loss") ? "e" : ""))
                .containsExactly("1", "2", "3", "4", "4e", "5", "6");
        assertThat(history.get(4).get("eval_mean_token_accuracy").getAsDouble()).isEqualTo(0.5);
        assertThat(history.get(0).get("mean_token_accuracy").getAsDouble()).isEqualTo(0.25);
        assertThat(dir.resolve("loss.png")).isNotEmptyFile();
    }

    private static StepResult step(int n) {
        return new StepResult(n, 3.0 / n, 1e-3, 1, 100, 0.1, Map.of("mean_token_accuracy", 0.25));
    }
}
