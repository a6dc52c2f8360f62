package io.kubetune.trainer.cli;

import static io.kubetune.trainer.model.FakeDeviceProbe.CPU_IMAGE;
import static io.kubetune.trainer.model.FakeDeviceProbe.CUDA_IMAGE_NO_GPU;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.TrainerContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `--device cuda` where the engine sees no GPU stops at once, before any download, with exit code 3
 * (the operator's NoGpu) and one line naming the likely cause.
 */
class DeviceOptionTest {
    @TempDir Path dir;

    @Test
    void trainOnTheCpuImageAskedForCudaExits3BeforeDownloading() throws IOException {
        CliRun run =
                CliRun.on(
                        CPU_IMAGE,
                        "train",
                        hubJob().toString(),
                        "--device",
                        "cuda",
                        "--output",
                        dir.resolve("out").toString());

        assertThat(run.exitCode()).isEqualTo(TrainerContract.EXIT_NO_GPU);
        assertThat(run.errLines())
                .containsExactly(
                        "error: --device cuda: this trainer's libtorch 2.7.1 is the CPU build: run"
                                + " the CUDA trainer image (or point PYTORCH_LIBRARY_PATH at a"
                                + " CUDA libtorch), or use --device cpu");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void trainOnAGpuNodeWhoseGpuIsNotVisibleNamesDriverAndDevicePlugin() throws IOException {
        CliRun run = CliRun.on(CUDA_IMAGE_NO_GPU, "train", hubJob().toString(), "--device", "cuda");

        assertThat(run.exitCode()).isEqualTo(TrainerContract.EXIT_NO_GPU);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0))
                .contains("sees no GPU")
                .contains("NVIDIA driver")
                .contains("device plugin");
    }

    @Test
    void anEvalJobAskedForCudaOnTheCpuImageExits3BeforeDownloading() throws IOException {
        Path job = dir.resolve("eval.yaml");
        Files.writeString(
                job,
                """
                apiVersion: kubetune.io/v1alpha1
                kind: EvalJob
                metadata:
                  name: hub-eval
                spec:
                  model:
                    uri: hf://nobody/no-such-model
                  tasks:
                    - name: hellaswag
                  precision: bf16
                """);

        CliRun run = CliRun.on(CPU_IMAGE, "eval", job.toString(), "--device", "cuda");

        assertThat(run.exitCode()).isEqualTo(TrainerContract.EXIT_NO_GPU);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).contains("CPU build");
    }

    @Test
    void anEvalJobsBf16IsRefusedOnTheCpu() throws IOException {
        Path job = dir.resolve("eval.yaml");
        Files.writeString(
                job,
                """
                apiVersion: kubetune.io/v1alpha1
                kind: EvalJob
                metadata:
                  name: hub-eval
                spec:
                  model:
                    uri: hf://nobody/no-such-model
                  tasks:
                    - name: hellaswag
                  precision: bf16
                """);

        CliRun run = CliRun.on(CPU_IMAGE, "eval", job.toString());

        assertThat(run.exitCode()).isEqualTo(TrainerContract.EXIT_INVALID_SPEC);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).contains("precision bf16 is not supported on CPU");
    }

    /** A valid job whose model would have to be downloaded from the hub. */
    private Path hubJob() throws IOException {
        Path job = dir.resolve("hub.yaml");
        Files.writeString(
                job,
                Files.readString(Path.of("src/test/resources/jobs/tiny-lora.yaml"))
                        .replace("../fixtures/models/llama", "hf://nobody/no-such-model"));
        return job;
    }
}
