package io.kubetune.trainer.train;

import java.nio.file.Path;

/**
 * Where a run starts when its output folder already holds checkpoints.
 *
 * @param mode {@code NEWEST}: the newest complete checkpoint, if it was written with the same
 *     settings; {@code OVERWRITE}: start again (existing checkpoints are deleted); {@code FROM}:
 *     the given checkpoint, whatever settings wrote it
 * @param checkpoint the checkpoint folder for {@code FROM}, else null
 */
public record ResumeChoice(Mode mode, Path checkpoint) {
    public enum Mode {
        NEWEST,
        OVERWRITE,
        FROM
    }

    public static final ResumeChoice NEWEST = new ResumeChoice(Mode.NEWEST, null);

    public static ResumeChoice of(boolean overwrite, Path resumeFrom) {
        if (overwrite && resumeFrom != null) {
            throw new IllegalArgumentException(
                    "--overwrite and --resume-from exclude each other; choose one");
        }
        return overwrite
                ? new ResumeChoice(Mode.OVERWRITE, null)
                : resumeFrom != null ? new ResumeChoice(Mode.FROM, resumeFrom) : NEWEST;
    }
}
