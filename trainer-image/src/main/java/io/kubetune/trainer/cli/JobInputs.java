package io.kubetune.trainer.cli;

import io.kubetune.trainer.storage.InputResolver;
import io.kubetune.trainer.storage.LocalInputResolver;
import java.nio.file.Path;

/** The one place that chooses how a job's input URIs become local files. */
final class JobInputs {
    private JobInputs() {}

    /**
     * Paths only for now, relative ones against the job file's folder; the resolver for hf://,
     * s3:// and https:// plugs in here.
     */
    static InputResolver resolver(Path jobFile) {
        return new LocalInputResolver(jobFile.toAbsolutePath().getParent());
    }
}
