package io.kubetune.trainer.train;

import ai.djl.Device;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.OutputSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the job tests build a tiny job and run it on the CPU, recording its steps: one copy, so each
 * test only states what its job changes and what it checks.
 */
public final class TinyJob {
    /** The tiny llama every job test trains. */
    public static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    private TinyJob() {}

    /** A run's outcome and every step it reported, in order. */
    public record Ran(FineTuneRun.Outcome outcome, List<StepResult> steps) {}

    /**
     * A job of {@code stage} on one dataset {@code /data/<dataFile>} of {@code format}, template
     * none: constant rate, no warm-up, cutoffLength 64, a metrics line every step, no checkpoint
     * within 100 steps, output {@code s3://runs/<stage>}.
     */
    public static FineTuneJobSpec spec(
            Stage stage,
            DataFormat format,
            String dataFile,
            int maxSteps,
            int batchSize,
            String learningRate) {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.stage = stage;
        spec.model = new ModelSource();
        spec.model.uri = "/models/llama";
        DatasetSpec dataset = new DatasetSpec();
        dataset.uri = "/data/" + dataFile;
        dataset.format = format;
        dataset.template = PromptTemplate.NONE;
        spec.datasets = List.of(dataset);
        spec.training = new TrainingSpec();
        spec.training.maxSteps = maxSteps;
        spec.training.batchSize = batchSize;
        spec.training.learningRate = learningRate;
        spec.training.scheduler = Scheduler.CONSTANT;
        spec.training.warmupSteps = 0;
        spec.training.cutoffLength = 64;
        spec.training.loggingSteps = 1;
        spec.checkpoint.everySteps = 100;
        spec.output = new OutputSpec();
        spec.output.uri = "s3://runs/" + stage.name().toLowerCase();
        return spec;
    }

    /** Runs the job to its end over one data file of the model in {@code modelDir}. */
    public static Ran run(FineTuneJobSpec spec, Path modelDir, Path data, Path out)
            throws IOException {
        return run(spec, new FineTuneRun.Inputs(modelDir, List.of(data), null), out, List.of());
    }

    /** Runs the job to its end; {@code others} listen after the step recorder. */
    public static Ran run(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            Path out,
            List<TrainingListener> others)
            throws IOException {
        List<StepResult> steps = new ArrayList<>();
        TrainingListener recorder = recorder(steps);
        List<TrainingListener> listeners = new ArrayList<>(List.of(recorder));
        listeners.addAll(others);
        FineTuneRun.Outcome outcome =
                new FineTuneRun(spec, inputs, out, Device.cpu(), listeners).run(() -> false);
        return new Ran(outcome, steps);
    }

    /** A listener that adds every step the run reports to {@code steps}. */
    public static TrainingListener recorder(List<StepResult> steps) {
        return new TrainingListener() {
            @Override
            public void onStep(StepResult result, long totalSteps, double epoch) {
                steps.add(result);
            }
        };
    }

    /** Runs the job until it has reported step {@code stopAt}, then stops it as a kill would. */
    public static FineTuneRun.Outcome stoppedAt(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, Path out, long stopAt)
            throws IOException {
        return stoppedAt(spec, inputs, out, stopAt, List.of());
    }

    /**
     * As {@link #stoppedAt(FineTuneJobSpec, FineTuneRun.Inputs, Path, long)}; {@code others} listen
     * after the step counter.
     */
    public static FineTuneRun.Outcome stoppedAt(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            Path out,
            long stopAt,
            List<TrainingListener> others)
            throws IOException {
        long[] seen = {0};
        TrainingListener counter =
                new TrainingListener() {
                    @Override
                    public void onStep(StepResult result, long totalSteps, double epoch) {
                        seen[0] = result.step();
                    }
                };
        List<TrainingListener> listeners = new ArrayList<>(List.of(counter));
        listeners.addAll(others);
        return new FineTuneRun(spec, inputs, out, Device.cpu(), listeners)
                .run(() -> seen[0] >= stopAt);
    }
}
