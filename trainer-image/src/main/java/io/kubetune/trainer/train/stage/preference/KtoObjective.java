package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.FeedbackBatch;
import io.kubetune.trainer.loss.LabelledLogProbs;
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
 * Stage kto's objective: the policy's summed answer log-probs (with gradient), and without gradient
 * the policy's and the reference's on the batch's KL rows and the reference's on its own rows, into
 * {@link KtoLoss}. The loss is a mean over the micro-batch, as TRL's, so the normaliser is 1.
 *
 * <p>Each metric is the micro-batch's value with weight 1, so a step or an evaluation reports the
 * mean of its micro-batches' values, as TRL averages the values it logged per batch.
 */
final class KtoObjective implements Objective<FeedbackBatch> {
    private final KtoLoss loss;
    private final ReferenceModel reference;

    KtoObjective(KtoSettings settings, ReferenceModel reference) {
        this.loss = new KtoLoss(settings);
        this.reference = reference;
    }

    @Override
    public long normalizer(FeedbackBatch batch) {
        return 1;
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, FeedbackBatch batch, NDManager scope, boolean training) {
        // TRL reads the KL rows first, under no_grad (dropout is off in its model).
        NDArray policyKl = DetachedLogps.rowSums(model, batch.klRows(), scope);
        BatchTensors tensors = BatchTensors.of(batch.rows(), scope);
        ModelOutput output =
                model.block().forward(model.parameterStore(), tensors.input(), training);
        NDArray policy = LabelledLogProbs.of(output, tensors.labels()).rowSums();
        CompletionStatistics statistics = CompletionStatistics.of(output, batch.rows().labels());
        NDArray referenceKl = reference.apply(m -> DetachedLogps.rowSums(m, batch.klRows(), scope));
        NDArray ref = reference.apply(m -> DetachedLogps.rowSums(m, batch.rows(), scope));
        float kl = KtoLoss.klEstimate(policyKl, referenceKl);
        KtoLoss.Result result = loss.compute(policy, ref, batch.desirable(), kl);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        result.metrics().forEach((name, value) -> metrics.put(name, Metric.of(value)));
        metrics.putAll(statisticsMetrics(statistics, batch.desirable()));
        return new BatchLoss(result.loss(), batch.rows().realTokens(), metrics);
    }

    /** TRL's entropy (over every answer token) and logits/chosen, logits/rejected. */
    private static Map<String, Metric> statisticsMetrics(
            CompletionStatistics s, boolean[] desirable) {
        double entropy = 0;
        double[] logits = new double[2];
        long[] tokens = new long[2];
        for (int i = 0; i < desirable.length; i++) {
            int side = desirable[i] ? 0 : 1;
            entropy += s.entropy()[i];
            logits[side] += s.meanLogits()[i];
            tokens[side] += s.tokens()[i];
        }
        Map<String, Metric> m = new LinkedHashMap<>();
        long all = tokens[0] + tokens[1];
        m.put("entropy", Metric.of(all > 0 ? entropy / all : 0));
        if (tokens[0] > 0) {
            m.put("logits/chosen", Metric.of(logits[0] / tokens[0]));
        }
        if (tokens[1] > 0) {
            m.put("logits/rejected", Metric.of(logits[1] / tokens[1]));
        }
        return m;
    }
}
