package io.kubetune.trainer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.api.v1alpha1.GrpoLossType;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.RewardScaling;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.peft.LoraInjector;
import io.kubetune.trainer.train.TrainableWeights;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.grpo.GroupAdvantages;
import io.kubetune.trainer.train.stage.grpo.GrpoLoss;
import io.kubetune.trainer.train.stage.grpo.GrpoSettings;
import io.kubetune.trainer.train.stage.rollout.Rollout;
import io.kubetune.trainer.train.stage.rollout.RolloutTensors;
import io.kubetune.trainer.train.stage.rollout.TokenLogps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One GRPO update on fixed completions, as {@code kubetune bench --task grpo-update} runs it and
 * {@code tools/reference/bench_grpo_update.py} runs TRL's GRPOTrainer: {@code prompts} prompts of
 * {@code promptLength} tokens, each answered {@code generations} times; row r's answer has {@link
 * #completionLength} tokens (a quarter of the rows full, the rest shorter, so the completions are
 * padded as in a real rollout); fixed rewards, group-normalised advantages; TRL's defaults (loss
 * dapo, β 0, ε 0.2, temperature 1, num_iterations 1: no old-log-prob pass); LoRA r 8 (alpha 16) on
 * every linear layer but the head, AdamW, gradient clipping at 1. Sampling is not timed: that is
 * {@code bench_grpo_rollout.py}'s side.
 */
public final class GrpoUpdateBenchmark {
    private static final int LORA_RANK = 8;

    private final ModelShape shape;
    private final int prompts;
    private final int generations;
    private final int promptLength;
    private final int maxCompletion;
    private final Precision precision;
    private final Device device;
    private boolean profiling;
    private StepProfile profile;

    /**
     * @param prompts distinct prompts in the update
     * @param generations answers per prompt (TRL's num_generations)
     * @param promptLength tokens of every prompt
     * @param maxCompletion tokens of the longest answer (TRL's max_completion_length)
     */
    public GrpoUpdateBenchmark(
            ModelShape shape,
            int prompts,
            int generations,
            int promptLength,
            int maxCompletion,
            Precision precision,
            Device device) {
        this.shape = shape;
        this.prompts = prompts;
        this.generations = generations;
        this.promptLength = promptLength;
        this.maxCompletion = maxCompletion;
        this.precision = precision;
        this.device = device;
    }

    /** After the timed updates, runs one more under libtorch's profiler. */
    public GrpoUpdateBenchmark profiling() {
        this.profiling = true;
        return this;
    }

    /** The profile of that update, when asked for. */
    public Optional<StepProfile> profile() {
        return Optional.ofNullable(profile);
    }

    /**
     * Row r's answer length, the same formula as the reference script's: {@code max - (r mod 4) *
     * max / 8}, at least 1.
     */
    public static int completionLength(int row, int maxCompletion) {
        return Math.max(1, maxCompletion - (row % 4) * maxCompletion / 8);
    }

    /** Runs {@code warmup} untimed updates, then {@code steps} timed ones. */
    public StepReport run(int warmup, int steps) {
        Rollout rollout = rollout();
        GrpoSettings settings =
                new GrpoSettings(
                        generations,
                        maxCompletion,
                        1.0,
                        0,
                        1.0,
                        0.0,
                        0.2,
                        0.2,
                        GrpoLossType.DAPO,
                        RewardScaling.GROUP,
                        List.of(),
                        1.0);
        float[] advantages =
                GroupAdvantages.of(rewards(), generations, RewardScaling.GROUP).advantages();
        try (PretrainedModel model = PretrainedModel.random(shape.toConfig(), device, precision)) {
            MethodSpec method = new MethodSpec();
            method.lora = new LoraSpec();
            method.lora.r = LORA_RANK;
            method.lora.targetModules = List.of(LoraInjector.ALL_LINEAR);
            TrainableWeights.Prepared weights = TrainableWeights.prepare(method, model);
            Objective<Rollout> objective = new FixedRolloutObjective(settings, advantages);
            double[] seconds;
            try (AdamW optimizer = AdamW.withDefaults(weights.trainable(), 0, model.manager())) {
                TrainingLoop<Rollout> loop =
                        new TrainingLoop<>(
                                model,
                                objective,
                                weights.trainable(),
                                optimizer,
                                new LearningRateSchedule(
                                        Scheduler.CONSTANT, 1e-6, 0, warmup + steps + 1),
                                1.0,
                                42);
                seconds = TimedSteps.run(() -> loop.step(List.of(rollout)), warmup, steps);
                if (profiling) {
                    profile =
                            new StepProfiler(shape.vocab(), shape.intermediate())
                                    .profile(device.isGpu(), () -> loop.step(List.of(rollout)));
                }
            }
            double rate;
            try (NDManager scratch = model.manager().newSubManager()) {
                rate = MatmulRate.measure(scratch, precision.dataType());
            }
            int rows = rollout.rows();
            int width = promptLength + maxCompletion;
            // The head runs at every completion position (padding included), the layers over the
            // whole padded width: what TRL computes too.
            double work =
                    StepWork.loraSft(shape, rows, width, (long) rows * maxCompletion, LORA_RANK);
            return new StepReport(
                    seconds,
                    rollout.tokens(),
                    rollout.completionTokens(),
                    work,
                    rate,
                    MemoryStats.peakRssBytes());
        }
    }

    /** Describes what was run, for the report's first line. */
    public String describe() {
        return String.format(
                "grpo-update: LoRA r %d on all linear layers, %d prompts x %d generations,"
                        + " prompt %d + completion <= %d tokens; loss dapo, beta 0, %s on %s",
                LORA_RANK, prompts, generations, promptLength, maxCompletion, precision, device);
    }

    // Deterministic ids both sides can make: prompt p's token t, answer r's token t.
    private Rollout rollout() {
        List<long[]> rowPrompts = new ArrayList<>();
        int rows = prompts * generations;
        long[][] tokens = new long[rows][];
        for (int r = 0; r < rows; r++) {
            int p = r / generations;
            long[] prompt = new long[promptLength];
            for (int t = 0; t < promptLength; t++) {
                prompt[t] = (p * 7919L + t * 104729L + 1) % shape.vocab();
            }
            rowPrompts.add(prompt);
            tokens[r] = new long[completionLength(r, maxCompletion)];
            for (int t = 0; t < tokens[r].length; t++) {
                tokens[r][t] = (r * 15485863L + t * 32452843L + 3) % shape.vocab();
            }
        }
        float[][] logps = new float[rows][];
        for (int r = 0; r < rows; r++) {
            logps[r] = new float[tokens[r].length];
        }
        return new Rollout(rowPrompts, new Completions(tokens, logps, new boolean[rows]));
    }

    // Rewards (r mod 5) / 4: every group has spread, as the reference script's.
    private float[] rewards() {
        float[] rewards = new float[prompts * generations];
        for (int r = 0; r < rewards.length; r++) {
            rewards[r] = (r % 5) / 4f;
        }
        return rewards;
    }

    /** GrpoObjective's loss on a rollout given up front (no sampling, no reference). */
    private static final class FixedRolloutObjective implements Objective<Rollout> {
        private final GrpoSettings settings;
        private final GrpoLoss loss;
        private final float[] advantages;

        FixedRolloutObjective(GrpoSettings settings, float[] advantages) {
            this.settings = settings;
            this.loss = new GrpoLoss(settings);
            this.advantages = advantages;
        }

        @Override
        public long normalizer(Rollout rollout) {
            return rollout.completionTokens();
        }

        @Override
        public BatchLoss compute(
                PretrainedModel model, Rollout rollout, NDManager scope, boolean training) {
            RolloutTensors tensors = RolloutTensors.of(rollout, scope, 0);
            TokenLogps policy = TokenLogps.of(model, tensors, settings.temperature(), training);
            GrpoLoss.Result result =
                    loss.compute(
                            policy.logps(),
                            null,
                            null,
                            scope.create(advantages),
                            tensors.completionMask());
            // GrpoObjective logs the entropy, as TRL does (it computes entropies in every update).
            Map<String, Metric> metrics = new LinkedHashMap<>(result.metrics());
            NDArray mask = tensors.completionMask();
            metrics.put(
                    "entropy",
                    new Metric(
                            policy.entropies().mul(mask).sum().getFloat(),
                            tensors.completionTokens()));
            return new BatchLoss(result.sum(), rollout.tokens(), metrics);
        }
    }
}
