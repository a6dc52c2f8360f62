package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A stage this trainer does not run is refused at once, before any input is fetched. */
class UnbuiltStageTest {
    @TempDir Path dir;

    @Test
    void anUnbuiltStageIsOneLineNamingSpecStageAndExit2BeforeAnyDownload() throws Exception {
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
                .contains("spec.stage: stage ppo is not built yet")
                .contains("pt, sft, rm, dpo or kto");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
