package io.kubetune.trainer.status;

import io.kubetune.api.v1alpha1.CheckpointRef;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.trainer.train.FineTuneRun;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The termination message of a training run that ended (finished, or stopped on SIGTERM). */
public final class TrainerResults {
    private static final Pattern STEP_DIR = Pattern.compile("step-0*(\\d+)");

    private TrainerResults() {}

    public static TrainerResult of(FineTuneRun.Outcome outcome) {
        TrainerResult r = new TrainerResult();
        r.steps = outcome.steps();
        r.finalLoss = Double.isFinite(outcome.lastLoss()) ? outcome.lastLoss() : null;
        r.finalEvalLoss = outcome.lastEvalLoss();
        r.adapterUri = uri(outcome.adapterDir());
        r.mergedModelUri = uri(outcome.modelDir());
        r.lastCheckpoint = checkpoint(outcome.lastCheckpoint());
        return r;
    }

    /** Absolute, so the reader need not know the trainer's working directory. */
    static String uri(Path local) {
        return local == null ? null : local.toAbsolutePath().normalize().toString();
    }

    static CheckpointRef checkpoint(Path dir) {
        if (dir == null) {
            return null;
        }
        CheckpointRef ref = new CheckpointRef();
        ref.uri = uri(dir);
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        ref.step = m.matches() ? Long.parseLong(m.group(1)) : null;
        return ref;
    }
}
