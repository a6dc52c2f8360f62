package io.kubetune.trainer.train.stage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.BatchTensors;
import java.util.Map;

/**
 * Next-token cross-entropy over the labelled tokens (pt: every token; sft: the answers), summed and
 * normalised by the step's counted tokens as transformers does. Reports TRL SFTTrainer's {@code
 * mean_token_accuracy}: how often the most likely next token is the label, over counted tokens.
 */
public final class CausalLmObjective implements Objective<Batch> {
    public static final String TOKEN_ACCURACY = "mean_token_accuracy";

    @Override
    public long normalizer(Batch batch) {
        return BatchTensors.countedTokens(batch);
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, Batch batch, NDManager scope, boolean training) {
        BatchTensors tensors = BatchTensors.of(batch, scope);
        NDArray logits = model.block().logits(model.parameterStore(), tensors.input(), training);
        NDArray summed = CausalLmLoss.tokenLosses(logits, tensors.labels()).sum();
        Metric accuracy = new Metric(correctTokens(logits, tensors.labels()), normalizer(batch));
        return new BatchLoss(summed, batch.realTokens(), Map.of(TOKEN_ACCURACY, accuracy));
    }

    /** Counted positions whose argmax is the next label; no gradient flows through argmax. */
    private static double correctTokens(NDArray logits, NDArray labels) {
        long seq = logits.getShape().get(1);
        NDArray predicted = logits.get(new NDIndex(":, 0:{}, :", seq - 1)).argMax(-1);
        NDArray targets = labels.get(new NDIndex(":, 1:{}", seq));
        NDArray hit = predicted.toType(DataType.INT64, false).eq(targets);
        return hit.logicalAnd(targets.neq(CausalLmLoss.IGNORE_INDEX))
                .toType(DataType.INT64, false)
                .sum()
                .getLong();
    }
}
