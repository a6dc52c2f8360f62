package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.Scalars;

/**
 * The loss of one PPO micro-batch as TRL's PPOTrainer computes it: the clipped policy loss
 * mean(max(−A·ρ, −A·clip(ρ, 1 ± clipRange))) over response tokens, the clipped value loss
 * 0.5·mean(max((V − R)², (clip(V, V_old ± clipRangeValue) − R)²)) over value tokens, and their sum
 * pg + vfCoef·vf; with the statistics TRL logs per micro-batch.
 *
 * @param loss the total loss, differentiable
 * @param policyLoss pg, differentiable
 * @param valueLoss vf, differentiable
 * @param policyClipFraction share of response tokens whose clipped term won
 * @param valueClipFraction share of value tokens whose clipped term won
 * @param approxKl 0.5·mean((logπ − logπ_old)²) over all positions
 * @param ratioMean mean ratio over all positions
 */
public record PpoLoss(
        NDArray loss,
        NDArray policyLoss,
        NDArray valueLoss,
        float policyClipFraction,
        float valueClipFraction,
        float approxKl,
        float ratioMean) {

    /**
     * @param newLogprobs [b, L] the current policy's log-probs of the rollout tokens
     * @param newValues [b, L] the current value head
     * @param rollout the micro-batch's rows of the rollout (old log-probs, values, advantages,
     *     returns, masks)
     */
    public static PpoLoss of(
            NDArray newLogprobs,
            NDArray newValues,
            RolloutAdvantages rollout,
            PpoSettings settings) {
        ResponseMasks masks = rollout.masks();
        NDArray logprobs = Masks.fill(newLogprobs, masks.padding(), ResponseMasks.INVALID_LOGPROB);
        NDArray values = Masks.fill(newValues, masks.paddingP1(), 0f);

        NDArray oldValues = rollout.values();
        NDArray clipValue = Scalars.like(values, settings.clipRangeValue());
        NDArray clippedValues =
                values.maximum(oldValues.sub(clipValue)).minimum(oldValues.add(clipValue));
        NDArray valueLosses = values.sub(rollout.returns()).square();
        NDArray clippedValueLosses = clippedValues.sub(rollout.returns()).square();
        NDArray valueLoss =
                MaskedStats.mean(valueLosses.maximum(clippedValueLosses), masks.valueTokens())
                        .mul(Scalars.like(values, 0.5));

        NDArray logRatio = logprobs.sub(rollout.logprobs());
        NDArray ratio = logRatio.exp();
        NDArray negAdvantages = rollout.advantages().neg();
        NDArray policyLosses = negAdvantages.mul(ratio);
        NDArray clippedRatio =
                ratio.maximum(Scalars.like(ratio, 1.0 - settings.clipRange()))
                        .minimum(Scalars.like(ratio, 1.0 + settings.clipRange()));
        NDArray clippedPolicyLosses = negAdvantages.mul(clippedRatio);
        NDArray policyLoss =
                MaskedStats.mean(policyLosses.maximum(clippedPolicyLosses), masks.tokens());

        NDArray loss = policyLoss.add(valueLoss.mul(Scalars.like(valueLoss, settings.vfCoef())));
        return new PpoLoss(
                loss,
                policyLoss,
                valueLoss,
                fraction(clippedPolicyLosses.gt(policyLosses), masks.tokens()),
                fraction(clippedValueLosses.gt(valueLosses), masks.valueTokens()),
                logRatio.square().mean().mul(Scalars.like(logRatio, 0.5)).getFloat(),
                ratio.mean().getFloat());
    }

    /**
     * The mean entropy of the sampling distributions at every position: logsumexp(z) − Σ p·z.
     *
     * @param logits [b, L, V] divided by the temperature
     */
    public static float entropy(NDArray logits) {
        NDArray max = logits.max(new int[] {-1}, true);
        NDArray logSumExp = logits.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1));
        NDArray expected = logits.softmax(-1).mul(logits).sum(new int[] {-1});
        return logSumExp.sub(expected).mean().getFloat();
    }

    private static float fraction(NDArray condition, NDArray keep) {
        return MaskedStats.mean(condition.toType(DataType.FLOAT32, false), keep).getFloat();
    }
}
