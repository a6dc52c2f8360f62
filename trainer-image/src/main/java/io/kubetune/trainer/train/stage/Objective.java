package io.kubetune.trainer.train.stage;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The loss a stage minimises, on its own kind of batch {@code B}. The training loop around it
 * accumulates gradients, clips, steps the optimizer and owns the per-step memory; the objective
 * only turns a batch into a loss and its metrics.
 *
 * <p>Gradient accumulation is normalised as transformers does it: each micro-batch's summed loss is
 * divided by the {@link #normalizer} of the whole step (all its micro-batches) before backward, so
 * accumulating equals one big batch. A loss that is a mean per micro-batch (TRL's DPO) returns
 * normalizer 1 and its mean as the sum.
 *
 * @param <B> the batch type the stage's data produces (token batches, preference pairs, ...)
 */
public interface Objective<B> {
    /**
     * Called once before a step's (or an evaluation batch's) {@link #normalizer} and {@link
     * #compute} calls, with all its micro-batches: on-policy stages sample and score their rollouts
     * here, without gradients, since their normaliser and advantages depend on the whole step.
     * Nothing to do for stages whose batches are fixed data.
     */
    default void beforeStep(PretrainedModel model, List<B> microBatches) {}

    /**
     * How many units the summed loss of {@code batch} covers (counted tokens, pairs, 1): known
     * before the forward pass, so that every micro-batch of a step can be divided by the step's
     * total.
     */
    long normalizer(B batch);

    /**
     * Runs the model on one batch.
     *
     * @param model the model being trained
     * @param batch the micro-batch
     * @param scope this micro-batch's manager: every array made here belongs to it
     * @param training whether this pass is differentiated (dropout on, gradients recorded)
     * @return the summed loss, tokens read and the stage's metrics
     */
    BatchLoss compute(PretrainedModel model, B batch, NDManager scope, boolean training);

    /**
     * Weights of the objective's own, trained and checkpointed beside the method's (PPO's value
     * head), by stable names; none by default.
     */
    default Map<String, Parameter> trainable() {
        return Map.of();
    }

    /**
     * Writes the objective's own weights beside an exported adapter or model (PPO's
     * value_head.safetensors); nothing by default.
     */
    default void writeFiles(Path dir) throws IOException {}
}
