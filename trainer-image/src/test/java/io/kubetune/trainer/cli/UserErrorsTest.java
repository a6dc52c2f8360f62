package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Errors a user can fix are one line on stderr naming the file and the fix, exit code 2, no stack
 * trace; anything else is one line and exit 1, with the trace only under --debug.
 */
class UserErrorsTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @TempDir Path dir;

    @Test
    void aMissingJobFile() {
        CliRun run = CliRun.of("train", dir.resolve("nope.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        "error: "
                                + dir.resolve("nope.yaml")
                                + " is not a file: pass a FineTuneJob or EvalJob YAML, e.g."
                                + " examples/local/finetunejob.yaml");
    }

    @Test
    void anEmptyJobFile() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "");

        CliRun run = CliRun.of("train", empty.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        "error: "
                                + empty
                                + " is empty: write a FineTuneJob or EvalJob resource in it");
    }

    @Test
    void aSpecTheApiServerWouldRefuseIsRefusedBeforeAnyDownload() throws IOException {
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                Files.readString(Path.of("src/test/resources/jobs/tiny-lora.yaml"))
                        .replace("../fixtures/models/llama", "hf://nobody/no-such-model")
                        .replace("      r: 4", "      r: -1"));

        CliRun run = CliRun.of("train", job.toString(), "--output", dir.resolve("out").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        "error: "
                                + job
                                + ":17: spec.method.lora.r: must have a minimum value of 1.0 (r:"
                                + " Rank of the adapters (PEFT r).)");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aGarbageTokenizerJson() throws IOException {
        Path model = copyOfLlama();
        Files.writeString(model.resolve("tokenizer.json"), "<html>not found</html>");

        CliRun run = evalPerplexity(model);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith(
                        "error: "
                                + model.resolve("tokenizer.json")
                                + " is not a Hugging Face tokenizer file (")
                .endsWith(
                        "copy the model's tokenizer.json again, or write it with transformers'"
                                + " tokenizer.save_pretrained")
                .doesNotContain("html");
    }

    @Test
    void aTruncatedSafetensorsFile() throws IOException {
        Path model = copyOfLlama();
        Path weights = model.resolve("model.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }

        CliRun run = evalPerplexity(model);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("error: " + weights + " ends before the end of tensor '")
                .endsWith("the file is truncated or damaged; download or copy the model again");
    }

    @Test
    void aFullDiskNamesTheFullFolderAndTheFix() {
        CliRun run = CliRun.run(withFailing(new DiskFull(dir)), "fail");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        "error: no space left on the disk of "
                                + dir.toAbsolutePath()
                                + ": free some space there, or point --output (and"
                                + " KUBETUNE_CACHE_DIR) at a larger disk; the same command resumes"
                                + " from the last checkpoint");
    }

    @Test
    void aBugIsOneLineAndExit1WithTheTraceOnlyUnderDebug() {
        CliRun plain = CliRun.run(withFailing(new Bug()), "fail");
        CliRun debug = CliRun.run(withFailing(new Bug()), "--debug", "fail");

        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.errLines())
                .containsExactly(
                        "error: step 3 had no batch (run again with --debug" + " for the trace)");
        assertThat(debug.exitCode()).isEqualTo(1);
        assertThat(debug.err())
                .contains("java.lang.IllegalStateException: step 3 had no batch")
                .contains("\tat ")
                .endsWith("error: step 3 had no batch" + System.lineSeparator());
    }

    @Test
    void versionIsTheBuildsVersion() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).matches("kubetune \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    private CliRun evalPerplexity(Path model) throws IOException {
        Path data = Files.writeString(dir.resolve("text.jsonl"), "{\"text\": \"a b c\"}\n");
        return CliRun.of(
                "eval",
                "--task",
                "perplexity",
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--output",
                dir.resolve("results").toString());
    }

    private Path copyOfLlama() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("llama"));
        try (Stream<Path> files = Files.list(LLAMA)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static CommandLine withFailing(Object command) {
        CommandLine cli = KubetuneCli.commandLine();
        cli.addSubcommand("fail", command);
        return cli;
    }

    /** A command whose write hits a full disk, as the JDK reports it (no file named). */
    @Command(name = "fail")
    record DiskFull(Path folder) implements Callable<Integer>, Failures.WritesFolders {
        @Override
        public Integer call() throws IOException {
            throw new IOException("No space left on device");
        }

        @Override
        public List<Path> folders() {
            return List.of(folder);
        }
    }

    @Command(name = "fail")
    static final class Bug implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("step 3 had no batch");
        }
    }
}
