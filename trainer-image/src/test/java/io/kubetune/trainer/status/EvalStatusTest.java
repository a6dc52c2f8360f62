package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.EvalResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalStatusTest {
    private static EvalResult result(String task, Double accNorm, Double perplexity) {
        EvalResult r = new EvalResult();
        r.task = task;
        r.accNorm = accNorm;
        r.perplexity = perplexity;
        r.n = 10;
        return r;
    }

    @Test
    void theFirstTasksHeadlineScoreIsShown() {
        Map<String, Object> hellaswagFirst =
                EvalStatus.of(
                        List.of(result("hellaswag", 0.3, null), result("perplexity", null, 12.5)));
        Map<String, Object> perplexityFirst =
                EvalStatus.of(List.of(result("perplexity", null, 12.5)));

        assertThat(hellaswagFirst)
                .containsEntry("task", "hellaswag")
                .containsEntry("score", 0.3)
                .containsKey("results");
        assertThat((List<?>) hellaswagFirst.get("results")).hasSize(2);
        assertThat(perplexityFirst)
                .containsEntry("task", "perplexity")
                .containsEntry("score", 12.5);
    }

    @Test
    void anUnreachableApiServerIsLoggedNotThrown() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int[] calls = {0};

        boolean written =
                EvalStatus.report(
                        status -> {
                            calls[0]++;
                            throw new IllegalStateException("Connection refused");
                        },
                        "evaljobs/x",
                        List.of(result("hellaswag", 0.3, null)),
                        new PrintStream(log));

        assertThat(written).isFalse();
        assertThat(calls[0]).isEqualTo(3);
        assertThat(log.toString()).contains("evaljobs/x", "Connection refused");
    }
}
