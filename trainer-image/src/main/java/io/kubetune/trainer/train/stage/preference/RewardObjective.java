package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.BatchTensors;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.Objective;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stage rm's objective: each row's score at its last non-padding token, into {@link RewardLoss}. A
 * mean over the micro-batch's pairs, as TRL's, so the normaliser is 1.
 */
final class RewardObjective implements Objective<PairBatch> {
    private final RewardLoss loss;

    RewardObjective(PreferenceSettings settings) {
        this.loss = new RewardLoss(settings);
    }

    @Override
    public long normalizer(PairBatch batch) {
        return 1;
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, PairBatch batch, NDManager scope, boolean training) {
        NDArray rewards = rewards(model, batch, scope, training);
        RewardLoss.Result result = loss.compute(rewards, scope.create(batch.margins()));
        Map<String, Metric> metrics = new LinkedHashMap<>();
        int pairs = batch.pairs();
        result.metrics()
                .forEach((name, mean) -> metrics.put(name, new Metric(mean * pairs, pairs)));
        return new BatchLoss(result.loss(), batch.rows().realTokens(), metrics);
    }

    /** {@code [2 × pairs]} scores, chosen rows first. */
    static NDArray rewards(
            PretrainedModel model, PairBatch batch, NDManager scope, boolean training) {
        BatchTensors tensors = BatchTensors.of(batch.rows(), scope);
        NDArray tokenScores =
                model.block()
                        .forward(model.parameterStore(), tensors.input(), training)
                        .tokenScores();
        long[] positions = batch.lastRealTokens();
        NDArray index = scope.create(positions).reshape(positions.length, 1);
        return tokenScores.gather(index, 1).reshape(positions.length);
    }
}
