package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `kubetune train job.yaml` as a user runs it. */
class TrainCommandTest {
    @TempDir Path dir;

    @Test
    void trainsTheJobFileAndWritesItsResults() {
        int exit =
                KubetuneCli.commandLine()
                        .execute(
                                "train",
                                "src/test/resources/jobs/tiny-lora.yaml",
                                "--output",
                                dir.toString());

        assertThat(exit).isZero();
        assertThat(dir.resolve("adapter/adapter_model.safetensors")).exists();
        assertThat(dir.resolve("adapter/adapter_config.json")).exists();
        assertThat(dir.resolve("metrics.jsonl")).exists();
        assertThat(dir.resolve("loss.png")).isNotEmptyFile();
        assertThat(dir.resolve("generations.jsonl")).exists();
        assertThat(dir.resolve("checkpoints/step-00000004/manifest.json")).exists();
    }

    @Test
    void aMissingDataFileIsNamedWithTheFix() throws Exception {
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                Files.readString(Path.of("src/test/resources/jobs/tiny-lora.yaml"))
                        .replace("tiny-alpaca.jsonl", "nope.jsonl")
                        .replace(
                                "../fixtures/models/llama",
                                Path.of("src/test/resources/fixtures/models/llama")
                                        .toAbsolutePath()
                                        .toString()));
        StringWriter err = new StringWriter();
        CommandLine cli = KubetuneCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("train", job.toString(), "--output", dir.resolve("out").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains("spec.datasets[0].uri nope.jsonl does not exist")
                .contains("--data");
    }
}
