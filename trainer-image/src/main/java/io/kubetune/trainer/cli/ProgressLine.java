package io.kubetune.trainer.cli;

import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.SampleGenerations;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A one-line progress bar on a terminal (a line per report when output is piped): step, loss,
 * learning rate, tokens/s, the time left and the stage's metrics.
 */
final class ProgressLine implements TrainingListener {
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final int every;
    private long startedAt;
    private long firstStep;

    ProgressLine(PrintStream out, boolean terminal, int every) {
        this.out = out;
        this.terminal = terminal;
        this.every = Math.max(1, every);
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        startedAt = System.nanoTime();
        firstStep = resumedAtStep;
        out.printf(
                "training %d steps%s%n",
                totalSteps, resumedAtStep > 0 ? ", resuming after step " + resumedAtStep : "");
    }

    @Override
    public void onStep(StepResult r, long totalSteps, double epoch) {
        if (!terminal && r.step() % every != 0 && r.step() != totalSteps) {
            return;
        }
        double elapsed = (System.nanoTime() - startedAt) / 1e9;
        double perStep = elapsed / Math.max(1, r.step() - firstStep);
        long eta = Math.round(perStep * (totalSteps - r.step()));
        int filled = (int) (WIDTH * r.step() / Math.max(1, totalSteps));
        String line =
                String.format(
                                "[%s%s] %d/%d  epoch %.2f  loss %.4f  lr %.2e  %.0f tok/s  eta %s",
                                "#".repeat(filled),
                                ".".repeat(WIDTH - filled),
                                r.step(),
                                totalSteps,
                                epoch,
                                r.loss(),
                                r.learningRate(),
                                r.tokens() / Math.max(1e-9, r.seconds()),
                                format(eta))
                        + metrics("", r.metrics());
        if (terminal) {
            out.print("\r" + line);
            if (r.step() == totalSteps) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        out.printf(
                "%sstep %d: eval loss %.4f%s%n",
                terminal ? "\n" : "",
                step,
                evaluation.loss(),
                metrics("eval_", evaluation.metrics()));
    }

    /** The stage's metrics, e.g. " rewards/margins 0.4210", in name order. */
    private static String metrics(String prefix, Map<String, Double> metrics) {
        StringBuilder line = new StringBuilder();
        new TreeMap<>(metrics)
                .forEach(
                        (name, value) ->
                                line.append(String.format("  %s%s %.4f", prefix, name, value)));
        return line.toString();
    }

    @Override
    public void onCheckpoint(long step, Path checkpoint) {
        if (!terminal) {
            out.printf("step %d: checkpoint %s%n", step, checkpoint);
        }
    }

    @Override
    public void onGenerations(String stage, List<SampleGenerations.Generation> generations) {
        if (generations.isEmpty()) {
            return;
        }
        out.printf("%n--- answers %s training ---%n", stage);
        for (SampleGenerations.Generation g : generations) {
            out.printf("Q: %s%nA: %s%n   (reference: %s)%n", g.prompt(), g.answer(), g.reference());
        }
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        if (outcome.finished()) {
            out.printf(
                    "%ndone: %d steps, final loss %.4f%s%n%s%n",
                    outcome.steps(),
                    outcome.lastLoss(),
                    outcome.lastEvalLoss() == null
                            ? ""
                            : String.format(", eval loss %.4f", outcome.lastEvalLoss()),
                    outputs(outcome));
        } else {
            out.printf(
                    "%nstopped after step %d; checkpoint %s. Run the same command again to resume.%n",
                    outcome.steps(), outcome.lastCheckpoint());
        }
    }

    private static String outputs(FineTuneRun.Outcome outcome) {
        StringBuilder out = new StringBuilder();
        if (outcome.adapterDir() != null) {
            out.append("adapter: ").append(outcome.adapterDir());
        }
        if (outcome.modelDir() != null) {
            out.append(out.isEmpty() ? "" : "\n").append("model: ").append(outcome.modelDir());
        }
        return out.toString();
    }

    private static String format(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        return d.toHours() > 0
                ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
}
