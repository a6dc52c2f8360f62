package io.kubetune.trainer.train;

import io.kubetune.api.v1alpha1.CheckpointResume;
import java.nio.file.Path;

/**
 * Where a run starts when its output folder already holds checkpoints.
 *
 * @param mode {@code NEWEST}: the newest complete checkpoint, if it was written with the same
 *     settings by the same job (a local run, or the same FineTuneJob uid); {@code NEWEST_ANY_JOB}:
 *     the same, whichever job wrote it (spec.checkpoint.resume: any-job); {@code OVERWRITE}: start
 *     again (existing checkpoints are deleted); {@code FROM}: the given checkpoint, whatever
 *     settings wrote it
 * @param checkpoint the checkpoint folder for {@code FROM}, else null
 */
public record ResumeChoice(Mode mode, Path checkpoint) {
    public enum Mode {
        NEWEST,
        NEWEST_ANY_JOB,
        OVERWRITE,
        FROM
    }

    public static final ResumeChoice NEWEST = new ResumeChoice(Mode.NEWEST, null);

    public static final ResumeChoice NEWEST_ANY_JOB = new ResumeChoice(Mode.NEWEST_ANY_JOB, null);

    public static ResumeChoice of(boolean overwrite, Path resumeFrom) {
        if (overwrite && resumeFrom != null) {
            throw new IllegalArgumentException(
                    "--overwrite and --resume-from exclude each other; choose one");
        }
        return overwrite
                ? new ResumeChoice(Mode.OVERWRITE, null)
                : resumeFrom != null ? new ResumeChoice(Mode.FROM, resumeFrom) : NEWEST;
    }

    /** This choice with the spec's say on whose checkpoints are resumed; flags come first. */
    public ResumeChoice with(CheckpointResume fromSpec) {
        return mode == Mode.NEWEST && fromSpec == CheckpointResume.ANY_JOB ? NEWEST_ANY_JOB : this;
    }
}
