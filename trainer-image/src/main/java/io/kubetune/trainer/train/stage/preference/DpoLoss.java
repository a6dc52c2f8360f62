package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DPO family of losses on a batch of pairs. sigmoid, ipo, hinge and robust as TRL 1.16's
 * DPOTrainer computes them (trl/trainer/dpo_trainer.py, _compute_loss); orpo and simpo as
 * LLaMA-Factory's (train/dpo/trainer.py: odds_ratio_loss, simpo_loss) on log-probs averaged over
 * the answer's tokens; ftx adds LLaMA-Factory's SFT term −ftx·(averaged chosen log-prob).
 */
public final class DpoLoss {
    /**
     * @param loss the mean over pairs, differentiable
     * @param metrics named as TRL names them: rewards/chosen, rewards/rejected, rewards/accuracies,
     *     rewards/margins, logps/chosen, logps/rejected
     */
    public record Result(NDArray loss, Map<String, Float> metrics) {}

    private final PreferenceSettings settings;

    public DpoLoss(PreferenceSettings settings) {
        this.settings = settings;
    }

    /**
     * @param policy the trained model's log-probs
     * @param reference the reference model's; ignored (may be null) for orpo and simpo
     */
    public Result compute(SequenceLogps policy, SequenceLogps reference) {
        Scalars s = new Scalars(policy.chosen().getManager());
        NDArray beta = s.of(settings.beta());
        SequenceLogps averaged = policy.averaged();
        NDArray perPair;
        NDArray chosenRewards;
        NDArray rejectedRewards;
        SequenceLogps logged;
        if (settings.needsReference()) {
            NDArray chosenRatio = policy.chosen().sub(reference.chosen());
            NDArray rejectedRatio = policy.rejected().sub(reference.rejected());
            perPair = referenced(s, beta, chosenRatio, rejectedRatio, policy);
            chosenRewards = chosenRatio.mul(beta);
            rejectedRewards = rejectedRatio.mul(beta);
            logged = policy;
        } else {
            perPair = referenceFree(s, beta, averaged.chosen(), averaged.rejected());
            chosenRewards = averaged.chosen().mul(beta);
            rejectedRewards = averaged.rejected().mul(beta);
            logged = averaged;
        }
        if (settings.ftx() > 0) {
            perPair = perPair.add(averaged.chosen().neg().mul(s.of(settings.ftx())));
        }
        return new Result(perPair.mean(), metrics(chosenRewards, rejectedRewards, logged));
    }

    private NDArray referenced(
            Scalars s, NDArray beta, NDArray chosenRatio, NDArray rejectedRatio, SequenceLogps p) {
        NDArray scaled = chosenRatio.sub(rejectedRatio).mul(beta);
        return switch (settings.loss()) {
            case SIGMOID -> s.logSigmoid(scaled).neg();
            case HINGE -> s.of(1f).sub(scaled).maximum(s.of(0f));
            case IPO -> {
                // TRL divides the log-ratios by the answer's token count before the square.
                NDArray delta =
                        chosenRatio
                                .div(p.chosenTokens().maximum(s.of(1f)))
                                .sub(rejectedRatio.div(p.rejectedTokens().maximum(s.of(1f))));
                yield delta.sub(s.of(1f / (2f * settings.beta()))).square();
            }
            case ROBUST -> {
                float e = settings.labelSmoothing();
                NDArray clean = s.logSigmoid(scaled).mul(s.of(-(1f - e)));
                NDArray flipped = s.logSigmoid(scaled.neg()).mul(s.of(-e));
                yield clean.sub(flipped).div(s.of(1f - 2f * e));
            }
            default -> throw new IllegalStateException(settings.loss() + " has no reference");
        };
    }

    private NDArray referenceFree(Scalars s, NDArray beta, NDArray chosen, NDArray rejected) {
        return switch (settings.loss()) {
            case ORPO -> {
                NDArray logOdds =
                        chosen.sub(rejected)
                                .sub(s.logOneMinusExp(chosen).sub(s.logOneMinusExp(rejected)));
                yield chosen.neg().add(s.logSigmoid(logOdds).neg().mul(beta));
            }
            case SIMPO -> {
                NDArray gammaRatio = s.of(settings.simpoGamma() / settings.beta());
                yield s.logSigmoid(chosen.sub(rejected).sub(gammaRatio).mul(beta)).neg();
            }
            default -> throw new IllegalStateException(settings.loss() + " needs a reference");
        };
    }

    private static Map<String, Float> metrics(
            NDArray chosenRewards, NDArray rejectedRewards, SequenceLogps logged) {
        Map<String, Float> m = new LinkedHashMap<>();
        m.put("rewards/chosen", Scalars.mean(chosenRewards));
        m.put("rewards/rejected", Scalars.mean(rejectedRewards));
        m.put(
                "rewards/accuracies",
                Scalars.mean(chosenRewards.gt(rejectedRewards).toType(DataType.FLOAT32, false)));
        m.put("rewards/margins", Scalars.mean(chosenRewards.sub(rejectedRewards)));
        m.put("logps/chosen", Scalars.mean(logged.chosen()));
        m.put("logps/rejected", Scalars.mean(logged.rejected()));
        return m;
    }
}
