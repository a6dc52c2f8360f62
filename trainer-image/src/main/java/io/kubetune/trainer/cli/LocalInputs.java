package io.kubetune.trainer.cli;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.train.FineTuneRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a job's model and data URIs to local files. A path is used as it is (a relative one
 * against the job file's folder); remote ones must be given on the command line until the trainer
 * downloads them itself.
 */
final class LocalInputs {
    private LocalInputs() {}

    static FineTuneRun.Inputs resolve(
            FineTuneJobSpec spec, Path jobFile, Path model, List<Path> data) {
        Path base = jobFile.toAbsolutePath().getParent();
        Path modelDir =
                model != null ? model : local(spec.model.uri, base, "spec.model.uri", "--model");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < spec.datasets.size(); i++) {
            files.add(
                    data != null && i < data.size()
                            ? data.get(i)
                            : local(
                                    spec.datasets.get(i).uri,
                                    base,
                                    "spec.datasets[" + i + "].uri",
                                    "--data"));
        }
        Path validation =
                spec.validation != null && spec.validation.uri != null
                        ? local(spec.validation.uri, base, "spec.validation.uri", "a local path")
                        : null;
        return new FineTuneRun.Inputs(modelDir, files, validation);
    }

    private static Path local(String uri, Path base, String field, String option) {
        if (uri.contains("://")) {
            throw new IllegalArgumentException(
                    field
                            + " is "
                            + uri
                            + ": this trainer version reads local files only; download it and pass "
                            + option
                            + " PATH");
        }
        Path resolved = base.resolve(uri).normalize();
        if (!Files.exists(resolved)) {
            throw new IllegalArgumentException(
                    field
                            + " "
                            + uri
                            + " does not exist (looked at "
                            + resolved
                            + "); fix the path or pass "
                            + option
                            + " PATH");
        }
        return resolved;
    }
}
