package io.kubetune.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.ChatFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.ChatFormatSetup;
import io.kubetune.trainer.model.io.HfModelWriter;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.peft.LoraInjector;
import io.kubetune.trainer.peft.LoraMerger;
import io.kubetune.trainer.peft.LoraTarget;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs a FineTuneJob's training on local files: data → tokens → batches → steps, with evaluation,
 * checkpoints, resume from the newest complete checkpoint, and the adapter written at the end.
 */
public final class FineTuneRun {
    /** How the run ended and where its results are. */
    public record Outcome(
            boolean finished,
            long steps,
            double lastLoss,
            Double lastEvalLoss,
            Path adapterDir,
            Path modelDir,
            Path lastCheckpoint) {}

    /** The local inputs: model folder, one file per dataset, optional validation file. */
    public record Inputs(Path modelDir, List<Path> dataFiles, Path validationFile) {}

    private final FineTuneJobSpec spec;

    /** The job's inputs; the model folder becomes the ChatML-adapted copy when asked for. */
    private Inputs inputs;

    private final Path outputDir;
    private final Device device;
    private final List<TrainingListener> listeners;

    public FineTuneRun(
            FineTuneJobSpec spec,
            Inputs inputs,
            Path outputDir,
            Device device,
            List<TrainingListener> listeners) {
        if (spec.stage != Stage.SFT && spec.stage != Stage.PT) {
            throw new IllegalArgumentException(
                    "spec.stage "
                            + spec.stage.name().toLowerCase()
                            + " is not run by this trainer version yet; use sft or pt");
        }
        this.spec = spec;
        this.inputs = inputs;
        this.outputDir = outputDir;
        this.device = device;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * @param stopRequested polled between steps; when true, a checkpoint is written and the run
     *     returns unfinished (Ctrl-C, SIGTERM)
     */
    public Outcome run(BooleanSupplier stopRequested) throws IOException {
        TrainingSpec training = spec.training;
        Files.createDirectories(outputDir);
        if (spec.chatFormat == ChatFormat.CHATML) {
            try (NDManager manager = NDManager.newBaseManager(device)) {
                Path adapted =
                        ChatFormatSetup.apply(
                                inputs.modelDir(), outputDir.resolve("chat-format-model"), manager);
                inputs = new Inputs(adapted, inputs.dataFiles(), inputs.validationFile());
            }
        }
        Engine.getInstance().setRandomSeed(training.seed);
        try (PretrainedModel model = PretrainedModel.load(inputs.modelDir(), device, precision());
                HfTokenizer tokenizer = HfTokenizer.load(inputs.modelDir())) {
            TrainingData data = TrainingData.prepare(spec, inputs, tokenizer);
            List<TokenizedSample> train = data.train();
            SampleGenerations generations =
                    new SampleGenerations(
                            data.probes(),
                            ChatTemplates.choose(
                                    spec.datasets.get(0).template, tokenizer.specialTokens()));
            int padId = tokenizer.specialTokens().paddingId();
            TrainingPlan plan =
                    new TrainingPlan(
                            train,
                            training.batching,
                            training.cutoffLength,
                            training.batchSize,
                            training.gradientAccumulationSteps,
                            padId,
                            training.seed,
                            training.epochs,
                            training.maxSteps);
            List<Batch> evalBatches =
                    TrainingPlan.evaluationBatches(data.validation(), training.batchSize, padId);

            List<LoraTarget> targets =
                    spec.method.type == MethodType.LORA
                            ? LoraInjector.inject(
                                    model.block(),
                                    spec.method.lora == null
                                            ? new io.kubetune.api.v1alpha1.LoraSpec()
                                            : spec.method.lora,
                                    model.precision().dataType(),
                                    model.manager())
                            : List.of();
            Map<String, Parameter> trainable =
                    TrainableWeights.of(spec.method, model.block(), targets);
            long total = plan.totalSteps();
            LearningRateSchedule schedule =
                    new LearningRateSchedule(
                            training.scheduler,
                            Double.parseDouble(training.learningRate),
                            LearningRateSchedule.warmupSteps(
                                    training.warmupSteps, training.warmupRatio, total),
                            total);
            CheckpointStore checkpoints = new CheckpointStore(outputDir, spec.checkpoint.keepLast);
            try (AdamW optimizer =
                    AdamW.withDefaults(
                            trainable, Double.parseDouble(training.weightDecay), model.manager())) {
                CheckpointStore.TrainerState state =
                        new CheckpointStore.TrainerState(0, Double.MAX_VALUE, 0);
                Optional<Path> resumeFrom = checkpoints.newestComplete();
                if (resumeFrom.isPresent()) {
                    state =
                            checkpoints.restore(
                                    resumeFrom.get(), trainable, optimizer, model.manager());
                }
                TrainingLoop loop =
                        new TrainingLoop(
                                model,
                                trainable,
                                optimizer,
                                schedule,
                                Double.parseDouble(training.maxGradNorm),
                                training.seed);
                long resumedAt = state.step();
                listeners.forEach(l -> l.onStart(total, resumedAt));
                if (resumedAt == 0) {
                    report("before", generations.generate("before", model, tokenizer, outputDir));
                    if (!evalBatches.isEmpty() && training.evalSteps != null) {
                        // The baseline the eval losses of training compare to.
                        double before = loop.evaluate(evalBatches);
                        listeners.forEach(l -> l.onEvaluation(0, before));
                    }
                }
                Path lastCheckpoint = resumeFrom.orElse(null);
                double lastLoss = Double.NaN;
                Double lastEval = null;
                while (state.step() < total) {
                    StepResult result = loop.step(plan.microBatches(state.step()));
                    lastLoss = result.loss();
                    long step = result.step();
                    double epoch = plan.epochAt(step);
                    listeners.forEach(l -> l.onStep(result, total, epoch));
                    state =
                            new CheckpointStore.TrainerState(
                                    step, state.bestEvalLoss(), state.evalsWithoutImprovement());
                    if (!evalBatches.isEmpty()
                            && training.evalSteps != null
                            && (step % training.evalSteps == 0 || step == total)) {
                        double evalLoss = loop.evaluate(evalBatches);
                        lastEval = evalLoss;
                        listeners.forEach(l -> l.onEvaluation(step, evalLoss));
                        boolean better = evalLoss < state.bestEvalLoss();
                        state =
                                new CheckpointStore.TrainerState(
                                        step,
                                        better ? evalLoss : state.bestEvalLoss(),
                                        better ? 0 : state.evalsWithoutImprovement() + 1);
                        if (better) {
                            writeAdapter(outputDir.resolve("best-adapter"), targets);
                        }
                    }
                    boolean stop = stopRequested.getAsBoolean();
                    boolean earlyStop =
                            training.earlyStoppingPatience != null
                                    && state.evalsWithoutImprovement()
                                            >= training.earlyStoppingPatience;
                    if (step % spec.checkpoint.everySteps == 0 || stop || earlyStop) {
                        lastCheckpoint = checkpoints.save(step, trainable, optimizer, state);
                        Path saved = lastCheckpoint;
                        listeners.forEach(l -> l.onCheckpoint(step, saved));
                    }
                    if (stop) {
                        Outcome stopped =
                                new Outcome(
                                        false,
                                        step,
                                        lastLoss,
                                        lastEval,
                                        null,
                                        null,
                                        lastCheckpoint);
                        listeners.forEach(l -> l.onFinish(stopped));
                        return stopped;
                    }
                    if (earlyStop) {
                        break;
                    }
                }
                Path adapterDir = writeAdapter(outputDir.resolve("adapter"), targets);
                report("after", generations.generate("after", model, tokenizer, outputDir));
                Path modelDir = writeModel(model, targets);
                Outcome done =
                        new Outcome(
                                true,
                                state.step(),
                                lastLoss,
                                lastEval,
                                adapterDir,
                                modelDir,
                                lastCheckpoint);
                listeners.forEach(l -> l.onFinish(done));
                return done;
            }
        }
    }

    /**
     * Full and freeze runs write the trained model; LoRA runs write the merged model when
     * spec.output.mergeModel asks for it.
     */
    private Path writeModel(PretrainedModel model, List<LoraTarget> targets) throws IOException {
        if (!targets.isEmpty()) {
            if (!Boolean.TRUE.equals(spec.output.mergeModel)) {
                return null;
            }
            LoraMerger.merge(targets);
        }
        Path dir = outputDir.resolve(targets.isEmpty() ? "model" : "merged");
        HfModelWriter.write(dir, model, inputs.modelDir(), ai.djl.ndarray.types.DataType.FLOAT32);
        return dir;
    }

    private Path writeAdapter(Path dir, List<LoraTarget> targets) throws IOException {
        if (targets.isEmpty()) {
            return null;
        }
        PeftAdapterFormat.write(
                dir, targets, spec.method.lora, spec.model.uri, "gpt2".equals(modelType()));
        return dir;
    }

    private String modelType() {
        try {
            return io.kubetune.trainer.model.io.HfConfig.read(
                            inputs.modelDir().resolve("config.json"))
                    .modelType();
        } catch (IOException e) {
            return "";
        }
    }

    private Precision precision() {
        return switch (spec.training.precision) {
            case AUTO -> device.isGpu() ? Precision.BF16 : Precision.FP32;
            case FP32 -> Precision.FP32;
            case FP16 -> Precision.FP16;
            case BF16 -> Precision.BF16;
        };
    }

    private void report(String stage, List<SampleGenerations.Generation> answers) {
        listeners.forEach(l -> l.onGenerations(stage, answers));
    }
}
