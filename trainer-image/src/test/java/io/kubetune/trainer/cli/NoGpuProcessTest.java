package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.trainer.status.TerminationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer process as a pod runs it: `train --device cuda` on this machine's CPU libtorch exits
 * 3 and says why, on stderr and in the termination message the operator reads.
 */
class NoGpuProcessTest {
    @TempDir Path dir;

    @Test
    void exits3WithTheCauseInTheTerminationMessage() throws Exception {
        Path message = dir.resolve("termination-log");
        Path stderr = dir.resolve("stderr");
        ProcessBuilder builder =
                new ProcessBuilder(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                KubetuneCli.class.getName(),
                                "train",
                                "src/test/resources/jobs/tiny-lora.yaml",
                                "--device",
                                "cuda",
                                "--output",
                                dir.resolve("out").toString()));
        builder.environment().put(TerminationMessage.PATH_ENV, message.toString());
        builder.redirectError(stderr.toFile()).redirectOutput(dir.resolve("stdout").toFile());

        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).isEqualTo(TrainerContract.EXIT_NO_GPU);
        assertThat(lines(stderr))
                .containsExactly(
                        "error: --device cuda: this trainer's libtorch 2.7.1 is the CPU build: run"
                                + " the CUDA trainer image (or point PYTORCH_LIBRARY_PATH at a"
                                + " CUDA libtorch), or use --device cpu");
        assertThat(Files.readString(message)).contains("\"error\":\"--device cuda: this trainer's");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
    }
}
