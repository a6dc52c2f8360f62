package io.kubetune.trainer.train.stage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.loss.LabelledLogProbs;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.BatchTensors;
import java.util.Map;

/**
 * Next-token cross-entropy over the labelled tokens (pt: every token; sft: the answers), summed and
 * normalised by the step's counted tokens as transformers does; the LM head runs only where a label
 * counts ({@link LabelledLogProbs}). Reports TRL SFTTrainer's {@code mean_token_accuracy}: how
 * often the most likely next token is the label, over counted tokens.
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
        ModelOutput output =
                model.block().forward(model.parameterStore(), tensors.input(), training);
        LabelledLogProbs logProbs = LabelledLogProbs.of(output, tensors.labels());
        NDArray summed = logProbs.sum().neg();
        Metric accuracy = new Metric(logProbs.correct(), logProbs.count());
        return new BatchLoss(summed, batch.realTokens(), Map.of(TOKEN_ACCURACY, accuracy));
    }
}
