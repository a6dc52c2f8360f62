package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A stage given data it cannot read is refused at once, before any input is fetched (every stage is
 * built now; this was the refusal of an unbuilt one).
 */
class StageRefusedBeforeDownloadTest {
    @TempDir Path dir;

    @Test
    void ppoOnInstructionDataIsOneLineNamingTheDatasetsAndExit2BeforeAnyDownload()
            throws Exception {
        Path job = dir.resolve("job.yaml");
        // hf:// and https:// inputs: resolving either would try the network and fail otherwise.
        Files.writeString(
                job,
                Files.readString(Path.of("src/test/resources/jobs/tiny-lora.yaml"))
                        .replace("../fixtures/models/llama", "hf://nobody/no-such-model")
                        .replace("tiny-alpaca.jsonl", "https://127.0.0.1:9/data.jsonl")
                        .replace(
                                "spec:\n",
                                "spec:\n  stage: ppo\n  rewardModel:\n    uri: hf://nobody/rm\n"));
        StringWriter err = new StringWriter();
        CommandLine cli = KubetuneCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("train", job.toString(), "--output", dir.resolve("out").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip().lines())
                .singleElement()
                .asString()
                // the CRD's CEL rule, run before the trainer's own stage check, names it first
                .contains("spec.datasets: stages grpo and ppo sample answers to prompts");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
