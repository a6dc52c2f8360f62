package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.trainer.UserInputException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint manifest read back from S3 is outside input: its names and sizes are checked. */
class CheckpointManifestTest {
    private static final String SOURCE = "checkpoint s3://bucket/run/checkpoints/step-10/";

    @TempDir Path work;

    @Test
    void filesOfAnHonestManifestLandInTheCheckpointFolder() {
        Path local = work.resolve("checkpoints/step-10");

        List<CheckpointRestore.ManifestFile> files =
                CheckpointRestore.manifestFiles(
                        manifest("adapter_model.safetensors", 100)
                                .replace(
                                        "}}}",
                                        "},\"optimizer/state.safetensors\":"
                                                + "{\"size\":5,\"sha256\":\"ab\"}}}"),
                        local,
                        SOURCE,
                        budget(1000, 1000));

        assertThat(files)
                .extracting(CheckpointRestore.ManifestFile::target)
                .containsExactly(
                        local.resolve("adapter_model.safetensors"),
                        local.resolve("optimizer/state.safetensors"));
    }

    @Test
    void manifestNamingAFileOutsideTheFolderIsRefusedWhole() {
        Path local = work.resolve("checkpoints/step-10");

        for (String name : List.of("../../../../etc/cron.d/x", "/etc/passwd", "a/../../b")) {
            assertThatThrownBy(
                            () ->
                                    CheckpointRestore.manifestFiles(
                                            manifest(name, 1), local, SOURCE, budget(10, 10)))
                    .isInstanceOf(UserInputException.class)
                    .hasMessageStartingWith(SOURCE + "manifest.json named a file that")
                    .hasMessageContaining("refused")
                    .hasMessageNotContaining(name);
        }
    }

    @Test
    void manifestListingAFileAboveTheCapIsRefused() {
        assertThatThrownBy(
                        () ->
                                CheckpointRestore.manifestFiles(
                                        manifest("adapter_model.safetensors", 1L << 40),
                                        work,
                                        SOURCE,
                                        budget(1L << 30, 1L << 31)))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("above the per-file download cap");
    }

    @Test
    void textThatIsNotAManifestIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(
                        () ->
                                CheckpointRestore.manifestFiles(
                                        "<Error>SECRET</Error>", work, SOURCE, budget(10, 10)))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("is not a checkpoint manifest")
                .hasMessageNotContaining("SECRET");
    }

    private static String manifest(String name, long size) {
        return "{\"step\":10,\"files\":{\""
                + name
                + "\":{\"size\":"
                + size
                + ",\"sha256\":\"00\"}}}";
    }

    private static DownloadBudget budget(long perFile, long total) {
        return new DownloadBudget(new DownloadLimits(perFile, total));
    }
}
