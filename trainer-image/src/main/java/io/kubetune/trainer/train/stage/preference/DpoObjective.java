package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.BatchTensors;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.ReferenceModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stage dpo's objective: the policy's and the reference's summed answer log-probs on the same pair
 * batch, into {@link DpoLoss}. The loss is a mean over the micro-batch's pairs, as TRL's, so the
 * normaliser is 1 and accumulation averages the micro-batches.
 */
public final class DpoObjective implements Objective<PairBatch> {
    private final DpoLoss loss;
    private final ReferenceModel reference;

    /**
     * @param reference null for orpo and simpo, which use none
     */
    public DpoObjective(PreferenceSettings settings, ReferenceModel reference) {
        this.loss = new DpoLoss(settings);
        this.reference = reference;
    }

    @Override
    public long normalizer(PairBatch batch) {
        return 1;
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, PairBatch batch, NDManager scope, boolean training) {
        BatchTensors tensors = BatchTensors.of(batch.rows(), scope);
        SequenceLogps policy =
                SequenceLogps.of(forward(model, tensors, training), tensors.labels());
        SequenceLogps ref =
                reference == null ? null : referenceLogps(batch, tensors.labels(), scope);
        DpoLoss.Result result = loss.compute(policy, ref);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        int pairs = batch.pairs();
        result.metrics()
                .forEach((name, mean) -> metrics.put(name, new Metric(mean * pairs, pairs)));
        return new BatchLoss(result.loss(), batch.rows().realTokens(), metrics);
    }

    private static ModelOutput forward(
            PretrainedModel model, BatchTensors tensors, boolean training) {
        return model.block().forward(model.parameterStore(), tensors.input(), training);
    }

    /** The reference's sums, from a pass in a scope of its own (see {@link DetachedLogps}). */
    private SequenceLogps referenceLogps(PairBatch batch, NDArray labels, NDManager scope) {
        return SequenceLogps.ofSums(
                reference.apply(m -> DetachedLogps.rowSums(m, batch.rows(), scope)), labels);
    }
}
