package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.eval.Fixtures;
import io.kubetune.trainer.eval.SyntheticModel;
import io.kubetune.trainer.eval.TestTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run from a file to the files it writes. */
class HellaswagEvaluationTest {

    @TempDir Path dir;

    private static HellaswagEvaluation evaluation() {
        JsonObject run = Fixtures.model("gpt2").getAsJsonObject("run");
        return new HellaswagEvaluation(
                TestTokenizers.encoder("gpt2"),
                new SyntheticModel(run.get("max_length").getAsInt(), run.get("vocab").getAsInt()),
                4);
    }

    @Test
    void writesTheEvalResultShapeAndOneLinePerItem() throws IOException {
        HellaswagReport report =
                evaluation().run(Fixtures.itemsJsonl(), 10, "tiny-gpt2", "my-adapter");
        report.writeTo(dir);

        JsonNode summary =
                new ObjectMapper().readTree(dir.resolve(HellaswagReport.SUMMARY_FILE).toFile());
        JsonNode asStatus = new ObjectMapper().valueToTree(report.result().toEvalResult());
        assertThat(summary).isEqualTo(asStatus);
        assertThat(summary.get("task").asText()).isEqualTo("hellaswag");
        assertThat(summary.get("n").asInt()).isEqualTo(10);
        assertThat(summary.get("model").asText()).isEqualTo("tiny-gpt2");
        assertThat(summary.get("adapter").asText()).isEqualTo("my-adapter");
        assertThat(summary.get("durationSeconds").asDouble()).isPositive();

        List<String> lines = Files.readAllLines(dir.resolve(HellaswagReport.ITEMS_FILE));
        assertThat(lines).hasSize(10);
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(first.keySet())
                .containsExactly(
                        "idx", "gold", "ll", "greedy", "pred", "pred_norm", "acc", "acc_norm");
        JsonObject want =
                Fixtures.model("gpt2")
                        .getAsJsonObject("run")
                        .getAsJsonArray("items")
                        .get(0)
                        .getAsJsonObject();
        assertThat(first.get("pred_norm")).isEqualTo(want.get("pred_norm"));
        assertThat(dir.resolve(HellaswagReport.MALFORMED_FILE)).doesNotExist();
    }

    @Test
    void labelPastTheEndingsIsScoredAsWrongAsLmEvalScoresIt() throws IOException {
        Path data = dir.resolve("two.jsonl");
        List<String> lines = Files.readAllLines(Fixtures.itemsJsonl());
        Files.write(
                data, List.of(lines.get(0), lines.get(1).replace("\"label\": 1", "\"label\": 7")));

        HellaswagReport report = evaluation().run(data, null, "m", null);

        assertThat(report.result().n()).isEqualTo(2);
        assertThat(report.items().get(1).gold()).isEqualTo(7);
        assertThat(report.items().get(1).acc()).isZero();
        assertThat(report.items().get(1).accNorm()).isZero();
        assertThat(report.malformed()).isEmpty();
    }

    @Test
    void skippedItemsAreListedAndLeaveNoStderrForOneItem() throws IOException {
        Path data = dir.resolve("two.jsonl");
        List<String> lines = Files.readAllLines(Fixtures.itemsJsonl());
        Files.write(
                data,
                List.of(lines.get(0), lines.get(1).replace("\"label\": 1", "\"label\": \"x\"")));

        HellaswagReport report = evaluation().run(data, null, "m", null);
        report.writeTo(dir.resolve("out"));

        assertThat(report.result().n()).isEqualTo(1);
        assertThat(report.result().accStderr()).isNull();
        JsonObject summary =
                JsonParser.parseString(
                                Files.readString(
                                        dir.resolve("out").resolve(HellaswagReport.SUMMARY_FILE)))
                        .getAsJsonObject();
        assertThat(summary.has("accStderr")).isFalse();
        assertThat(summary.has("adapter")).isFalse();
        assertThat(Files.readAllLines(dir.resolve("out").resolve(HellaswagReport.MALFORMED_FILE)))
                .containsExactly(
                        "{\"idx\":1,\"reason\":\"label must be an integer 0 to 3, got \\\"x\\\"\"}");
    }

    @Test
    void mostlyBadDataFailsTheRun() throws IOException {
        Path data = dir.resolve("bad.jsonl");
        Files.write(data, List.of("{}", "{}", Files.readAllLines(Fixtures.itemsJsonl()).get(0)));
        assertThatThrownBy(() -> evaluation().run(data, null, "m", null))
                .isInstanceOf(HellaswagDataException.class)
                .hasMessageContaining("2 of 3 items are malformed")
                .hasMessageContaining("item 0: activity_label is missing");
    }
}
