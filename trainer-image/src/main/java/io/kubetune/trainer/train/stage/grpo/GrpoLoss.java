package io.kubetune.trainer.train.stage.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.GrpoLossType;
import io.kubetune.trainer.model.Scalars;
import io.kubetune.trainer.train.stage.Metric;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GRPO's clipped objective, as TRL 1.16's {@code GRPOTrainer._compute_loss} (token-level importance
 * sampling): per token {@code −min(ρA, clip(ρ, 1−ε_low, 1+ε_high)·A)} with {@code ρ = exp(logp −
 * old)}, plus {@code β·(e^(ref−logp) − (ref−logp) − 1)} when β > 0, reduced by the loss type. The
 * reduction is split between {@link Result#sum} and the objective's normaliser so that
 * micro-batches accumulate as TRL accumulates them: dapo sums tokens and is divided by the step's
 * completion tokens; grpo (mean per completion, then over completions) and dr_grpo (sum over
 * completions × maxCompletionLength) are one value per micro-batch, divided by the micro-batch
 * count.
 */
public final class GrpoLoss {
    private final GrpoSettings settings;

    public GrpoLoss(GrpoSettings settings) {
        this.settings = settings;
    }

    /**
     * What one micro-batch contributes.
     *
     * @param sum 0-d F32, in the graph
     * @param metrics kl (when β > 0) and clip_ratio/low_mean, high_mean, region_mean, summed over
     *     completion tokens
     */
    public record Result(NDArray sum, Map<String, Metric> metrics) {}

    /**
     * @param logps the policy's completion log-probs {@code [rows, width]} (with gradient)
     * @param old the log-probs the completions were sampled under, or null for TRL's on-policy case
     *     (the policy's own, detached, so ρ = 1 and only the gradient remains)
     * @param ref the reference model's log-probs, or null when β = 0
     * @param advantages {@code [rows]}
     * @param mask {@code [rows, width]} F32, 1 on real completion tokens
     */
    public Result compute(
            NDArray logps, NDArray old, NDArray ref, NDArray advantages, NDArray mask) {
        NDArray oldLogps = old == null ? logps.stopGradient() : old;
        NDArray ratio = logps.sub(oldLogps).exp();
        NDArray a = advantages.reshape(-1, 1);
        NDArray clipped =
                ratio.maximum(Scalars.like(ratio, 1 - settings.epsilonLow()))
                        .minimum(Scalars.like(ratio, 1 + settings.epsilonHigh()));
        NDArray perToken = ratio.mul(a).minimum(clipped.mul(a)).neg();
        Map<String, Metric> metrics = new LinkedHashMap<>();
        float tokens = mask.sum().getFloat();
        if (settings.beta() != 0) {
            NDArray diff = ref.sub(logps);
            // TRL's use_bias_correction_kl (default on): the KL is weighted by the ratio, which is
            // differentiable, so it changes the gradient even where its value is 1.
            NDArray kl = diff.exp().sub(diff).sub(Scalars.like(diff, 1)).mul(ratio);
            perToken = perToken.add(kl.mul(Scalars.like(kl, settings.beta())));
            metrics.put("kl", new Metric(masked(kl.stopGradient(), mask), tokens));
        }
        NDArray r = ratio.stopGradient();
        NDArray low =
                r.lt(Scalars.like(r, 1 - settings.epsilonLow()))
                        .logicalAnd(a.lt(Scalars.like(a, 0)).broadcast(r.getShape()));
        NDArray high =
                r.gt(Scalars.like(r, 1 + settings.epsilonHigh()))
                        .logicalAnd(a.gt(Scalars.like(a, 0)).broadcast(r.getShape()));
        metrics.put("clip_ratio/low_mean", new Metric(masked(low, mask), tokens));
        metrics.put("clip_ratio/high_mean", new Metric(masked(high, mask), tokens));
        metrics.put(
                "clip_ratio/region_mean", new Metric(masked(low.logicalOr(high), mask), tokens));
        return new Result(reduce(perToken.mul(mask), mask), metrics);
    }

    private NDArray reduce(NDArray maskedLoss, NDArray mask) {
        GrpoLossType type = settings.lossType();
        return switch (type) {
            case DAPO -> maskedLoss.sum();
            case GRPO -> {
                NDArray lengths = mask.sum(new int[] {1}).maximum(Scalars.like(mask, 1));
                yield maskedLoss.sum(new int[] {1}).div(lengths).mean();
            }
            case DR_GRPO -> {
                long rows = maskedLoss.getShape().get(0);
                double denominator = (double) rows * settings.maxCompletionLength();
                yield maskedLoss.sum().div(Scalars.like(maskedLoss, denominator));
            }
        };
    }

    private static double masked(NDArray values, NDArray mask) {
        return values.toType(DataType.FLOAT32, false).mul(mask).sum().getFloat();
    }
}
