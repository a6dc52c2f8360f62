package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code init-model} does not overwrite a model already in its output without --force. */
class InitModelCommandTest {
    @TempDir Path tmp;

    @Test
    void existingModelIsKeptUnlessForced() throws IOException {
        Path output = tmp.resolve("model");
        assertThat(initModel(output, "--seed", "1")).isZero();
        byte[] first = Files.readAllBytes(output.resolve("model.safetensors"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int refused;
        try {
            refused = initModel(output, "--seed", "2");
        } finally {
            System.setErr(originalErr);
        }

        assertThat(refused).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo(
                        "error: --output "
                                + output
                                + " is not empty (a model may be there): pass --force to overwrite"
                                + " it, or choose another folder");
        assertThat(output.resolve("model.safetensors")).hasBinaryContent(first);

        assertThat(initModel(output, "--seed", "2", "--force")).isZero();
        assertThat(Files.readAllBytes(output.resolve("model.safetensors"))).isNotEqualTo(first);
    }

    private static int initModel(Path output, String... extra) {
        String[] args = {
            "init-model",
            "--arch",
            "llama",
            "--layers",
            "1",
            "--hidden",
            "16",
            "--heads",
            "2",
            "--kv-heads",
            "1",
            "--intermediate",
            "32",
            "--positions",
            "32",
            "--tokenizer",
            "src/test/resources/fixtures/models/gpt2",
            "--output",
            output.toString()
        };
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return KubetuneCli.commandLine().execute(all);
    }
}
