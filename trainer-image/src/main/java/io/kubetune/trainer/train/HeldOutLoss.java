package io.kubetune.trainer.train;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.CausalLmObjective;
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
        CausalLmObjective objective = new CausalLmObjective();
        double lossSum = 0;
        long counted = 0;
        for (Batch batch : batches) {
            try (NDManager scope = model.manager().newSubManager()) {
                BatchLoss loss = objective.compute(model, batch, scope, false);
                lossSum += loss.sum().getFloat();
                counted += objective.normalizer(batch);
            }
        }
        return new Total(lossSum, counted);
    }
}
