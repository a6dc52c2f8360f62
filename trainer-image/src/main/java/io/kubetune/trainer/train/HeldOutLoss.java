package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.model.PretrainedModel;
import java.util.List;

/** The mean next-token loss over the labelled tokens of some batches, without gradients. */
public final class HeldOutLoss {
    /** The summed loss and the tokens it covers. */
    public record Total(double lossSum, long tokens) {
        public double mean() {
            return lossSum / Math.max(1, tokens);
        }
    }

    private HeldOutLoss() {}

    public static Total of(PretrainedModel model, List<Batch> batches) {
        double lossSum = 0;
        long counted = 0;
        for (Batch batch : batches) {
            try (NDManager scope = model.manager().newSubManager()) {
                BatchTensors tensors = BatchTensors.of(batch, scope);
                NDArray logits =
                        model.block().logits(model.parameterStore(), tensors.input(), false);
                lossSum += CausalLmLoss.tokenLosses(logits, tensors.labels()).sum().getFloat();
                counted += BatchTensors.countedTokens(batch);
            }
        }
        return new Total(lossSum, counted);
    }
}
