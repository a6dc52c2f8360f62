package io.kubetune.trainer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.peft.LoraInjector;
import io.kubetune.trainer.train.BatchTensors;
import io.kubetune.trainer.train.TrainableWeights;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.ReferenceModel;
import io.kubetune.trainer.train.stage.preference.DpoObjective;
import io.kubetune.trainer.train.stage.preference.PreferenceSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Real LoRA training steps on a random model, as {@code kubetune bench --task sft-lora|dpo-lora}
 * runs them and {@code tools/reference/bench_sft_lora.py} / {@code bench_dpo_lora.py} run
 * transformers + PEFT: rows of random tokens whose first half is masked as prompt, LoRA r 8 (alpha
 * 16) on every linear layer but the head, AdamW, through the training loop. sft-lora: the sft
 * objective on {@code rows} rows (optionally the full-logits loss of before, to see what scoring
 * only the labelled positions saves). dpo-lora: {@code rows} pairs (a chosen and a rejected row
 * sharing the prompt), the sigmoid DPO loss with the reference as the model with adapters off.
 */
public final class LoraStepBenchmark {
    private static final int LORA_RANK = 8;

    /** What a step trains. */
    public enum Task {
        SFT_LORA("sft-lora"),
        DPO_LORA("dpo-lora");

        private final String cliName;

        Task(String cliName) {
            this.cliName = cliName;
        }

        /** Returns the task named on the command line, or null. */
        public static Task parse(String name) {
            for (Task t : values()) {
                if (t.cliName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    private final Task task;

    private final ModelShape shape;
    private final int rows;
    private final int seqLength;
    private final Precision precision;
    private final Device device;
    private final boolean fullLogits;
    private final boolean checkpointing;
    private boolean profiling;
    private StepProfile profile;

    /**
     * @param fullLogits score every position through {@code [tokens, vocab]} logits, as before
     * @param checkpointing rerun each layer's forward in the backward (activation checkpointing)
     */
    public LoraStepBenchmark(
            Task task,
            ModelShape shape,
            int rows,
            int seqLength,
            Precision precision,
            Device device,
            boolean fullLogits,
            boolean checkpointing) {
        this.task = task;
        this.shape = shape;
        this.rows = rows;
        this.seqLength = seqLength;
        this.precision = precision;
        this.device = device;
        this.fullLogits = fullLogits;
        this.checkpointing = checkpointing;
    }

    /** After the timed steps, runs one more under libtorch's profiler (see {@link #profile()}). */
    public LoraStepBenchmark profiling() {
        this.profiling = true;
        return this;
    }

    /** The profile of the extra step, when {@link #profiling()} asked for one and it ran. */
    public java.util.Optional<StepProfile> profile() {
        return java.util.Optional.ofNullable(profile);
    }

    /**
     * Runs {@code warmup} untimed steps, then {@code steps} timed ones.
     *
     * @return the step times and memory
     */
    public StepReport run(int warmup, int steps) {
        return task == Task.SFT_LORA
                ? run(warmup, steps, halfMaskedBatch(new Random(42), rows, false))
                : run(warmup, steps, pairs(new Random(42)));
    }

    private <B> StepReport run(int warmup, int steps, B batch) {
        try (PretrainedModel model = PretrainedModel.random(shape.toConfig(), device, precision)) {
            MethodSpec method = new MethodSpec();
            method.lora = new LoraSpec();
            method.lora.r = LORA_RANK;
            method.lora.targetModules = List.of(LoraInjector.ALL_LINEAR);
            TrainableWeights.Prepared weights = TrainableWeights.prepare(method, model);
            model.block().layerBackward().setCheckpointing(checkpointing);
            Objective<B> objective = objective(model, weights);
            double[] seconds;
            try (AdamW optimizer = AdamW.withDefaults(weights.trainable(), 0, model.manager())) {
                TrainingLoop<B> loop =
                        new TrainingLoop<>(
                                model,
                                objective,
                                weights.trainable(),
                                optimizer,
                                new LearningRateSchedule(
                                        Scheduler.CONSTANT, 1e-4, 0, warmup + steps),
                                1.0,
                                42);
                seconds = TimedSteps.run(() -> loop.step(List.of(batch)), warmup, steps);
                if (profiling) {
                    profile =
                            new StepProfiler(shape.vocab(), shape.intermediate())
                                    .profile(device.isGpu(), () -> loop.step(List.of(batch)));
                }
            }
            Batch tokens = batch instanceof PairBatch pairs ? pairs.rows() : (Batch) batch;
            long labelled = BatchTensors.countedTokens(tokens);
            double rate;
            try (NDManager scratch = model.manager().newSubManager()) {
                rate = MatmulRate.measure(scratch, precision.dataType());
            }
            double work =
                    task == Task.SFT_LORA
                            ? StepWork.loraSft(shape, rows, seqLength, labelled, LORA_RANK)
                            : StepWork.loraDpo(shape, 2 * rows, seqLength, labelled, LORA_RANK);
            return new StepReport(
                    seconds,
                    (long) tokens.rows() * seqLength,
                    labelled,
                    work,
                    rate,
                    MemoryStats.peakRssBytes());
        }
    }

    @SuppressWarnings("unchecked")
    private <B> Objective<B> objective(PretrainedModel model, TrainableWeights.Prepared weights) {
        if (task == Task.DPO_LORA) {
            ReferenceModel reference = ReferenceModel.adaptersDisabled(model, weights.adapters());
            return (Objective<B>) new DpoObjective(PreferenceSettings.of(null), reference);
        }
        return (Objective<B>) (fullLogits ? new FullLogitsObjective() : new CausalLmObjective());
    }

    /** Describes what was run, for the report's first line. */
    public String describe() {
        return String.format(
                "%s: LoRA r %d on all linear layers, %d x %d tokens, the first half of"
                        + " every row masked; %s%s, %s on %s",
                task.cliName,
                LORA_RANK,
                task == Task.SFT_LORA ? rows : 2 * rows,
                seqLength,
                fullLogits ? "full logits (every position)" : "labelled positions only",
                checkpointing ? ", gradient checkpointing" : "",
                precision,
                device);
    }

    // Pairs: chosen rows first, then rejected rows with the same prompt and another answer.
    private PairBatch pairs(Random random) {
        Batch chosen = halfMaskedBatch(random, rows, false);
        Batch rejected = halfMaskedBatch(random, rows, false);
        int[][] ids = new int[2 * rows][];
        int[][] labels = new int[2 * rows][];
        for (int r = 0; r < rows; r++) {
            ids[r] = chosen.ids()[r];
            labels[r] = chosen.labels()[r];
            ids[rows + r] = rejected.ids()[r].clone();
            labels[rows + r] = rejected.labels()[r];
            System.arraycopy(chosen.ids()[r], 0, ids[rows + r], 0, seqLength / 2);
        }
        Batch both = halfMaskedBatch(random, 2 * rows, true);
        return new PairBatch(
                new Batch(
                        ids, labels, both.attentionMask(), both.positionIds(), both.sequenceIds()),
                new float[rows],
                0);
    }

    private Batch halfMaskedBatch(Random random, int rows, boolean layoutOnly) {
        int[][] ids = new int[rows][seqLength];
        int[][] labels = new int[rows][seqLength];
        int[][] mask = new int[rows][seqLength];
        int[][] positions = new int[rows][seqLength];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < seqLength; t++) {
                ids[r][t] = layoutOnly ? 0 : random.nextInt(shape.vocab());
                labels[r][t] = t < seqLength / 2 ? TokenizedSample.IGNORE : ids[r][t];
                positions[r][t] = t;
            }
            Arrays.fill(mask[r], 1);
        }
        return new Batch(ids, labels, mask, positions, mask);
    }

    /** The loss as it was computed before: logits at every position, then cross-entropy. */
    private static final class FullLogitsObjective implements Objective<Batch> {
        @Override
        public long normalizer(Batch batch) {
            return BatchTensors.countedTokens(batch);
        }

        @Override
        public BatchLoss compute(
                PretrainedModel model, Batch batch, NDManager scope, boolean training) {
            BatchTensors tensors = BatchTensors.of(batch, scope);
            NDArray logits =
                    model.block().logits(model.parameterStore(), tensors.input(), training);
            NDArray summed = CausalLmLoss.tokenLosses(logits, tensors.labels()).sum();
            return new BatchLoss(summed, batch.realTokens(), Map.of());
        }
    }
}
