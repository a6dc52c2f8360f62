package io.kubetune.trainer.train;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Readies an output folder for a run: with {@code --overwrite} the earlier run's checkpoints and
 * logs go; the spec as the trainer resolved it (defaults filled in) is written to {@code
 * resolved-spec.yaml}, so the folder says what made it.
 */
final class RunFolder {
    static final String RESOLVED_SPEC = "resolved-spec.yaml";

    /** What a fresh start removes: what would otherwise be resumed or appended to. */
    private static final List<String> EARLIER_RUN =
            List.of(
                    "checkpoints",
                    MetricsHistory.FILE,
                    "generations.jsonl",
                    "best-adapter",
                    "tensorboard");

    private RunFolder() {}

    static void prepare(Path outputDir, FineTuneJobSpec spec, ResumeChoice resume)
            throws IOException {
        if (resume.mode() == ResumeChoice.Mode.OVERWRITE) {
            for (String name : EARLIER_RUN) {
                deleteTree(outputDir.resolve(name));
            }
        }
        Files.writeString(
                outputDir.resolve(RESOLVED_SPEC),
                new KubernetesSerialization().asYaml(spec),
                StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
