package io.kubetune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.Scalars;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.GradientClipping;
import io.kubetune.trainer.optim.LearningRateSchedule;
import java.util.List;
import java.util.Map;

/**
 * One optimizer step as transformers' Trainer takes it: forward and backward each micro-batch, with
 * the loss of every micro-batch divided by the counted tokens of the whole step (so gradient
 * accumulation equals one big batch), then clip, step and zero.
 */
public final class TrainingLoop {
    private final PretrainedModel model;
    private final Map<String, Parameter> trainable;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final double maxGradNorm;
    private final long seed;

    public TrainingLoop(
            PretrainedModel model,
            Map<String, Parameter> trainable,
            AdamW optimizer,
            LearningRateSchedule schedule,
            double maxGradNorm,
            long seed) {
        this.model = model;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
        this.seed = seed;
    }

    /** Takes step number {@code optimizer.steps()} (0-based) on the given micro-batches. */
    public StepResult step(List<Batch> microBatches) {
        long started = System.nanoTime();
        long step = optimizer.steps();
        // Dropout draws from a seed fixed per step, so a resumed run draws the same masks.
        Engine.getInstance().setRandomSeed((int) (seed + step));
        long counted = microBatches.stream().mapToLong(BatchTensors::countedTokens).sum();
        double lossSum = 0;
        long tokens = 0;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (Batch batch : microBatches) {
                try (NDManager scope = model.manager().newSubManager()) {
                    BatchTensors tensors = BatchTensors.of(batch, scope);
                    ParameterStore ps = model.parameterStore();
                    NDArray logits = model.block().logits(ps, tensors.input(), true);
                    NDArray summed = CausalLmLoss.tokenLosses(logits, tensors.labels()).sum();
                    collector.backward(summed.div(Scalars.like(summed, Math.max(1, counted))));
                    lossSum += summed.getFloat();
                    tokens += batch.realTokens();
                }
            }
        }
        double norm = GradientClipping.clip(trainable.values(), maxGradNorm);
        double lr = schedule.rate(step);
        optimizer.step(lr);
        Gradients.zero(trainable.values());
        double seconds = (System.nanoTime() - started) / 1e9;
        return new StepResult(step + 1, lossSum / Math.max(1, counted), lr, norm, tokens, seconds);
    }

    /** Mean loss over counted tokens, without gradients. */
    public double evaluate(List<Batch> batches) {
        return HeldOutLoss.of(model, batches).mean();
    }
}
