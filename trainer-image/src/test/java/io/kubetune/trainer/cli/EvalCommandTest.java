package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `kubetune eval` writes the summary an EvalJob's status takes, and per-item results. */
class EvalCommandTest {
    @TempDir Path dir;

    @Test
    void scoresHellaswagItemsAndWritesTheResults() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = KubetuneCli.commandLine();
        cli.setErr(new PrintWriter(err, true));

        int exit =
                cli.execute(
                        "eval",
                        "--model",
                        "src/test/resources/fixtures/models/gpt2",
                        "--data",
                        "src/test/resources/eval/hellaswag_items.parquet",
                        "--limit",
                        "10",
                        "--output",
                        dir.toString());

        assertThat(exit).as(err.toString()).isZero();
        JsonObject summary =
                JsonParser.parseString(Files.readString(dir.resolve("hellaswag.json")))
                        .getAsJsonObject();
        assertThat(summary.toString())
                .contains("\"accNorm\"", "\"accNormStderr\"")
                .contains("\"n\":10");
        assertThat(Files.readAllLines(dir.resolve("hellaswag_items.jsonl"))).hasSize(10);
    }

    @Test
    void perplexityOfInstructionData() throws Exception {
        int exit =
                KubetuneCli.commandLine()
                        .execute(
                                "eval",
                                "--task",
                                "perplexity",
                                "--model",
                                "src/test/resources/fixtures/models/llama",
                                "--data",
                                "src/test/resources/jobs/tiny-alpaca.jsonl",
                                "--format",
                                "alpaca",
                                "--template",
                                "alpaca",
                                "--output",
                                dir.toString());

        assertThat(exit).isZero();
        JsonObject result =
                JsonParser.parseString(Files.readString(dir.resolve("perplexity.json")))
                        .getAsJsonObject();
        assertThat(result.get("task").getAsString()).isEqualTo("perplexity");
        assertThat(result.get("n").getAsInt()).isEqualTo(8);
        assertThat(result.get("perplexity").getAsDouble()).isGreaterThan(1.0);
    }
}
