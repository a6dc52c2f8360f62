package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.rollout.TokenLogps;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PPO's loss on one micro-batch, as TRL's PPOTrainer trains policy and values together: the
 * policy's new log-probs and the {@link ValueFunction}'s new values of the rollout tokens go into
 * {@link PpoLoss}; its total is the micro-batch's loss (a mean, so normalizer 1). The value
 * function's weights belong in the loop's trainable set beside the policy's.
 */
public final class PpoObjective implements Objective<PpoMicroBatch> {
    private final ValueFunction values;
    private final PpoSettings settings;

    public PpoObjective(ValueFunction values, PpoSettings settings) {
        this.values = values;
        this.settings = settings;
    }

    @Override
    public long normalizer(PpoMicroBatch batch) {
        return 1;
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, PpoMicroBatch batch, NDManager scope, boolean training) {
        QueryResponses rows = batch.rows();
        ModelOutput policy = model.block().forward(model.parameterStore(), rows.input(), training);
        TokenLogps logprobs = rows.logprobs(policy, settings.temperature());
        PpoLoss loss =
                PpoLoss.of(
                        logprobs.logps(),
                        values.values(() -> policy, rows, training),
                        batch.rollout(),
                        settings);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put("loss/policy_avg", Metric.of(loss.policyLoss().getFloat()));
        metrics.put("loss/value_avg", Metric.of(loss.valueLoss().getFloat()));
        metrics.put("policy/clipfrac_avg", Metric.of(loss.policyClipFraction()));
        metrics.put("val/clipfrac_avg", Metric.of(loss.valueClipFraction()));
        metrics.put("policy/approxkl_avg", Metric.of(loss.approxKl()));
        metrics.put("val/ratio", Metric.of(loss.ratioMean()));
        // TRL's entropy_avg: the mean over every response position, padding included.
        metrics.put("policy/entropy_avg", Metric.of(logprobs.entropies().mean().getFloat()));
        long tokens = rows.input().attentionMask().sum().getLong();
        return new BatchLoss(loss.loss(), tokens, metrics);
    }
}
