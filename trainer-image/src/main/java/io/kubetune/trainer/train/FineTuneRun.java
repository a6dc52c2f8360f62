package io.kubetune.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.ChatFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.model.DeviceProbe;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.ChatFormatSetup;
import io.kubetune.trainer.model.weights.Quantizer;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.DynamicLossScaler;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.peft.StartingAdapter;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.BatchPlan;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.StageData;
import io.kubetune.trainer.train.stage.Stages;
import io.kubetune.trainer.train.stage.TrainingStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs a FineTuneJob's training on local files: the job's {@link TrainingStage} turns data into
 * batches and a loss; this driver loads the model, applies the method, and hands the steps to a
 * {@link TrainingSession} (resume, evaluation, checkpoints, results).
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

    /**
     * The local inputs: model folder, one file per dataset, optional validation file.
     *
     * @param modelName the model as the user named it: a remote URI as written (hf://...), a local
     *     folder as an absolute path; adapters name it as their base model
     * @param rewardModelDir the reward model folder of stages ppo and grpo, or null
     */
    public record Inputs(
            Path modelDir,
            List<Path> dataFiles,
            Path validationFile,
            String modelName,
            Path adapterDir,
            Path rewardModelDir) {
        public Inputs(Path modelDir, List<Path> dataFiles, Path validationFile) {
            this(modelDir, dataFiles, validationFile, modelDir.toAbsolutePath().toString());
        }

        public Inputs(Path modelDir, List<Path> dataFiles, Path validationFile, String modelName) {
            this(modelDir, dataFiles, validationFile, modelName, null, null);
        }

        /** The same inputs starting from the base plus this PEFT adapter (null: none). */
        public Inputs withAdapter(Path adapter) {
            return new Inputs(
                    modelDir, dataFiles, validationFile, modelName, adapter, rewardModelDir);
        }

        /** The same inputs with the reward model folder (stage ppo's spec.rewardModel). */
        public Inputs withRewardModel(Path dir) {
            return new Inputs(modelDir, dataFiles, validationFile, modelName, adapterDir, dir);
        }
    }

    private final FineTuneJobSpec spec;
    private final TrainingStage<?> stage;
    private final Inputs inputs;
    private final Path outputDir;
    private final Device device;
    private final List<TrainingListener> listeners;
    private final ResumeChoice resume;
    private DeviceProbe probe = DeviceProbe.engine();
    private String jobUid;

    /** A run that resumes from the newest checkpoint written with the same settings. */
    public FineTuneRun(
            FineTuneJobSpec spec,
            Inputs inputs,
            Path outputDir,
            Device device,
            List<TrainingListener> listeners) {
        this(spec, inputs, outputDir, device, listeners, ResumeChoice.NEWEST);
    }

    /**
     * @throws IllegalArgumentException naming spec.stage when this trainer does not run the stage
     */
    public FineTuneRun(
            FineTuneJobSpec spec,
            Inputs inputs,
            Path outputDir,
            Device device,
            List<TrainingListener> listeners,
            ResumeChoice resume) {
        this.stage = Stages.validate(spec);
        this.spec = SpecDefaults.fill(spec);
        this.resume = resume.with(this.spec.checkpoint.resume);
        this.inputs = inputs;
        this.outputDir = outputDir;
        this.device = device;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * What the engine sees (a test answers for a machine it is not on): with the device, it decides
     * what {@code precision: auto} means.
     */
    public FineTuneRun withDeviceProbe(DeviceProbe deviceProbe) {
        this.probe = deviceProbe;
        return this;
    }

    /**
     * The FineTuneJob this run trains, by uid (a pod's {@code KUBETUNE_JOB_UID}); without it, a
     * local run. Its checkpoints record it, and by default only they are resumed.
     */
    public FineTuneRun forJob(String uid) {
        this.jobUid = uid == null || uid.isBlank() ? null : uid;
        return this;
    }

    /**
     * @param stopRequested polled between steps; when true, a checkpoint is written and the run
     *     returns unfinished (Ctrl-C, SIGTERM)
     */
    public Outcome run(BooleanSupplier stopRequested) throws IOException {
        Files.createDirectories(outputDir);
        try (OutputLock lock = OutputLock.acquire(outputDir)) {
            RunFolder.prepare(outputDir, spec, resume);
            Path modelDir = baseModelDir();
            Engine.getInstance().setRandomSeed(spec.training.seed);
            try (PretrainedModel model = load(modelDir);
                    HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
                return train(stage, model, tokenizer, modelDir, stopRequested);
            }
        }
    }

    private <B> Outcome train(
            TrainingStage<B> stage,
            PretrainedModel model,
            HfTokenizer tokenizer,
            Path modelDir,
            BooleanSupplier stopRequested)
            throws IOException {
        StageData<B> data = stage.prepare(spec, inputs, tokenizer);
        model.block()
                .layerBackward()
                .setCheckpointing(Boolean.TRUE.equals(spec.training.gradientCheckpointing));
        // PEFT's TEXT init tokenizes with special tokens: tokenizer(init_text)["input_ids"].
        TrainableWeights.Prepared weights =
                TrainableWeights.prepare(spec.method, model, text -> tokenizer.encode(text, true));
        TrainingListener heard = new TrainingListeners(listeners);
        try (StageContext context =
                new StageContext(
                        spec, model, weights.adapters(), () -> load(modelDir), outputDir)) {
            Objective<B> objective = stage.objective(context);
            // The objective's own weights (PPO's value head) are trained beside the method's.
            Map<String, Parameter> trainable = new LinkedHashMap<>(weights.trainable());
            trainable.putAll(objective.trainable());
            try (AdamW optimizer =
                    AdamW.withDefaults(
                            trainable,
                            Double.parseDouble(spec.training.weightDecay),
                            model.manager())) {
                TrainingLoop<B> loop =
                        new TrainingLoop<>(
                                model,
                                objective,
                                trainable,
                                optimizer,
                                schedule(data.plan()),
                                Double.parseDouble(spec.training.maxGradNorm),
                                spec.training.seed);
                DynamicLossScaler lossScaler =
                        model.precision() == Precision.FP16 ? new DynamicLossScaler() : null;
                loop.withLossScaler(lossScaler);
                Checkpointer checkpoints =
                        new Checkpointer(
                                new CheckpointStore(outputDir, spec.checkpoint.keepLast),
                                trainable,
                                optimizer,
                                lossScaler,
                                model.manager(),
                                RunSettings.of(spec).forJob(jobUid),
                                heard);
                ProbeAnswers answers = answers(data, model, tokenizer, heard);
                return new TrainingSession<>(
                                spec,
                                data,
                                loop,
                                checkpoints,
                                answers,
                                export(model, tokenizer, weights, trainable, modelDir)
                                        .withObjectiveFiles(objective),
                                resume,
                                heard)
                        .run(stopRequested);
            }
        }
    }

    /**
     * The model trained from, and the reference stages compare with: the base, with the adapter the
     * job starts from (spec.model.adapter) folded into its weights.
     */
    private PretrainedModel load(Path modelDir) throws IOException {
        PretrainedModel model =
                PretrainedModel.load(
                        modelDir,
                        device,
                        precision(),
                        stage.heads(),
                        Quantizer.of(spec.method).orElse(null));
        if (inputs.adapterDir() != null) {
            try {
                StartingAdapter.mergeInto(inputs.adapterDir(), model);
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
        }
        return model;
    }

    private RunExport export(
            PretrainedModel model,
            HfTokenizer tokenizer,
            TrainableWeights.Prepared weights,
            Map<String, Parameter> trainable,
            Path modelDir) {
        return new RunExport(
                model,
                weights.adapters(),
                trainable,
                outputDir,
                modelDir,
                inputs.modelName(),
                Boolean.TRUE.equals(spec.output.mergeModel),
                spec.datasets.get(0).template,
                tokenizer.specialTokens());
    }

    /** The model folder trained from: the job's, or its ChatML-adapted copy when asked for. */
    private Path baseModelDir() throws IOException {
        if (spec.chatFormat != ChatFormat.CHATML) {
            return inputs.modelDir();
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            return ChatFormatSetup.apply(
                    inputs.modelDir(), outputDir.resolve("chat-format-model"), manager);
        }
    }

    private ProbeAnswers answers(
            StageData<?> data,
            PretrainedModel model,
            HfTokenizer tokenizer,
            TrainingListener heard) {
        SampleGenerations generations =
                new SampleGenerations(
                        data.probes(),
                        ChatTemplates.choose(
                                spec.datasets.get(0).template, tokenizer.specialTokens()));
        return new ProbeAnswers(generations, model, tokenizer, outputDir, heard);
    }

    private LearningRateSchedule schedule(BatchPlan<?> plan) {
        return LearningRateSchedule.of(
                spec.training, plan.totalSteps(), plan.stepsPerScheduleStep());
    }

    /** The job's precision on this device, chosen as for every command (fp16 gets loss scaling). */
    Precision precision() {
        return Precision.choose(spec.training.precision, device, probe);
    }
}
