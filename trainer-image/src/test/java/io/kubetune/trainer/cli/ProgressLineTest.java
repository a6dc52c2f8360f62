package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress a user reads in a pod's log shows the stage's metrics beside the loss. */
class ProgressLineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressLine line =
            new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 1);

    @Test
    void stepAndEvaluationLinesCarryTheStageMetrics() {
        line.onStart(4, 0);
        line.onStep(
                new StepResult(1, 2.5, 1e-3, 1, 100, 0.5, Map.of("rewards/margins", 0.42)),
                4,
                0.25);
        line.onEvaluation(1, new Evaluation(2.0, Map.of("rewards/accuracies", 0.75)));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("1/4").contains("loss 2.5000").contains("rewards/margins 0.4200");
        assertThat(out).contains("step 1: eval loss 2.0000  eval_rewards/accuracies 0.7500");
    }
}
