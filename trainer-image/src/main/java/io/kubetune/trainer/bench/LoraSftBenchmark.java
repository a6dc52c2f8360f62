package io.kubetune.trainer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Real LoRA SFT steps on a random model, as {@code kubetune bench --task sft-lora} runs them and
 * {@code tools/reference/bench_sft_lora.py} runs transformers + PEFT: rows of random tokens whose
 * first half is masked as prompt, LoRA r 8 (alpha 16) on every linear layer but the head, the sft
 * objective, AdamW, through the training loop. Optionally with the full-logits loss of before, to
 * see what scoring only the labelled positions saves.
 */
public final class LoraSftBenchmark {
    private static final int LORA_RANK = 8;

    private final ModelShape shape;
    private final int rows;
    private final int seqLength;
    private final Precision precision;
    private final Device device;
    private final boolean fullLogits;
    private final boolean checkpointing;

    /**
     * @param fullLogits score every position through {@code [tokens, vocab]} logits, as before
     * @param checkpointing rerun each layer's forward in the backward (activation checkpointing)
     */
    public LoraSftBenchmark(
            ModelShape shape,
            int rows,
            int seqLength,
            Precision precision,
            Device device,
            boolean fullLogits,
            boolean checkpointing) {
        this.shape = shape;
        this.rows = rows;
        this.seqLength = seqLength;
        this.precision = precision;
        this.device = device;
        this.fullLogits = fullLogits;
        this.checkpointing = checkpointing;
    }

    /**
     * Runs {@code warmup} untimed steps, then {@code steps} timed ones.
     *
     * @return the step times and memory
     */
    public StepReport run(int warmup, int steps) {
        Batch batch = halfMaskedBatch(new Random(42));
        try (PretrainedModel model = PretrainedModel.random(shape.toConfig(), device, precision)) {
            MethodSpec method = new MethodSpec();
            method.lora = new LoraSpec();
            method.lora.r = LORA_RANK;
            method.lora.targetModules = List.of(LoraInjector.ALL_LINEAR);
            TrainableWeights.Prepared weights = TrainableWeights.prepare(method, model);
            model.block().setGradientCheckpointing(checkpointing);
            Objective<Batch> objective =
                    fullLogits ? new FullLogitsObjective() : new CausalLmObjective();
            double[] seconds = new double[steps];
            try (AdamW optimizer = AdamW.withDefaults(weights.trainable(), 0, model.manager())) {
                TrainingLoop<Batch> loop =
                        new TrainingLoop<>(
                                model,
                                objective,
                                weights.trainable(),
                                optimizer,
                                new LearningRateSchedule(
                                        Scheduler.CONSTANT, 1e-4, 0, warmup + steps),
                                1.0,
                                42);
                for (int i = 0; i < warmup; i++) {
                    loop.step(List.of(batch));
                }
                for (int i = 0; i < steps; i++) {
                    long start = System.nanoTime();
                    loop.step(List.of(batch));
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                }
            }
            long labelled = BatchTensors.countedTokens(batch);
            double rate;
            try (NDManager scratch = model.manager().newSubManager()) {
                rate = MatmulRate.measure(scratch, precision.dataType());
            }
            return new StepReport(
                    seconds,
                    (long) rows * seqLength,
                    labelled,
                    StepWork.loraSft(shape, rows, seqLength, labelled, LORA_RANK),
                    rate,
                    MemoryStats.peakRssBytes());
        }
    }

    /** Describes what was run, for the report's first line. */
    public String describe() {
        return String.format(
                "sft-lora: LoRA r %d on all linear layers, %d x %d tokens, the first half of"
                        + " every row masked; %s%s, %s on %s",
                LORA_RANK,
                rows,
                seqLength,
                fullLogits ? "full logits (every position)" : "labelled positions only",
                checkpointing ? ", gradient checkpointing" : "",
                precision,
                device);
    }

    private Batch halfMaskedBatch(Random random) {
        int[][] ids = new int[rows][seqLength];
        int[][] labels = new int[rows][seqLength];
        int[][] mask = new int[rows][seqLength];
        int[][] positions = new int[rows][seqLength];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < seqLength; t++) {
                ids[r][t] = random.nextInt(shape.vocab());
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
