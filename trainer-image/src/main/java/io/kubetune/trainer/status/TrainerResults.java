package io.kubetune.trainer.status;

import io.kubetune.api.v1alpha1.CheckpointRef;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.trainer.train.FineTuneRun;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The termination message of a training run that ended (finished, or stopped on SIGTERM). */
public final class TrainerResults {
    private static final Pattern STEP_DIR = Pattern.compile("step-0*(\\d+)");

    private TrainerResults() {}

    public static TrainerResult of(FineTuneRun.Outcome outcome) {
        return of(outcome, TrainerResults::uri);
    }

    /**
     * @param published where readers find a local file or folder (e.g. its s3:// URI)
     */
    public static TrainerResult of(FineTuneRun.Outcome outcome, Function<Path, String> published) {
        TrainerResult r = new TrainerResult();
        r.steps = outcome.steps();
        r.finalLoss = Double.isFinite(outcome.lastLoss()) ? outcome.lastLoss() : null;
        r.finalEvalLoss = outcome.lastEvalLoss();
        r.adapterUri = outcome.adapterDir() == null ? null : published.apply(outcome.adapterDir());
        r.mergedModelUri = outcome.modelDir() == null ? null : published.apply(outcome.modelDir());
        r.lastCheckpoint = checkpoint(outcome.lastCheckpoint(), published);
        return r;
    }

    /** Absolute, so the reader need not know the trainer's working directory. */
    static String uri(Path local) {
        return local == null ? null : local.toAbsolutePath().normalize().toString();
    }

    static CheckpointRef checkpoint(Path dir, Function<Path, String> published) {
        if (dir == null) {
            return null;
        }
        CheckpointRef ref = new CheckpointRef();
        ref.uri = published.apply(dir);
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        ref.step = m.matches() ? Long.parseLong(m.group(1)) : null;
        return ref;
    }
}
