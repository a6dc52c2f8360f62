package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KTO loss as TRL 1.16's KTOTrainer computes it (kto_trainer.py, _compute_loss, loss_type kto):
 * with log-ratio r = policy − reference log-prob of each answer and the batch's KL estimate z (see
 * {@link #klEstimate}), a desirable answer costs w_d·(1 − σ(β(r − z))) and an undesirable one
 * w_u·(1 − σ(β(z − r))); the loss is their mean over the batch.
 */
public final class KtoLoss {
    /**
     * @param loss the mean over the batch's examples, differentiable
     * @param metrics named as TRL logs them: kl, rewards/chosen, logps/chosen, rewards/rejected,
     *     logps/rejected, rewards/margins (a side's metrics only when the batch has that side,
     *     margins only when it has both)
     */
    public record Result(NDArray loss, Map<String, Float> metrics) {}

    private final KtoSettings settings;

    public KtoLoss(KtoSettings settings) {
        this.settings = settings;
    }

    /**
     * The KL term: mean over the batch of policy − reference log-probs of the mismatched answers,
     * clamped at 0. A constant: TRL computes it under no_grad and detaches it.
     */
    public static float klEstimate(NDArray policyKl, NDArray referenceKl) {
        return Math.max(0f, Scalars.mean(policyKl.sub(referenceKl)));
    }

    /**
     * @param policy each example's summed answer log-prob under the trained model {@code [n]}
     * @param reference the same under the reference model {@code [n]}, no gradient
     * @param desirable each example's label
     * @param kl the batch's {@link #klEstimate}
     */
    public Result compute(NDArray policy, NDArray reference, boolean[] desirable, float kl) {
        NDManager manager = policy.getManager();
        int n = desirable.length;
        float[] sign = new float[n];
        float[] weight = new float[n];
        for (int i = 0; i < n; i++) {
            sign[i] = desirable[i] ? 1f : -1f;
            weight[i] = desirable[i] ? settings.desirableWeight() : settings.undesirableWeight();
        }
        Scalars s = new Scalars(manager);
        NDArray logRatios = policy.sub(reference);
        // 1 − σ(β·s·(r − z)) = σ(−β·s·(r − z)), s = +1 desirable, −1 undesirable.
        NDArray scaled =
                logRatios
                        .sub(s.of(kl))
                        .mul(manager.create(sign, new Shape(n)))
                        .mul(s.of(-settings.beta()));
        NDArray losses = Activation.sigmoid(scaled).mul(manager.create(weight, new Shape(n)));
        return new Result(losses.mean(), metrics(policy, logRatios, desirable, kl));
    }

    private Map<String, Float> metrics(
            NDArray policy, NDArray logRatios, boolean[] desirable, float kl) {
        float[] logps = policy.toFloatArray();
        float[] ratios = logRatios.toFloatArray();
        double[] rewardSum = new double[2];
        double[] logpSum = new double[2];
        int[] count = new int[2];
        for (int i = 0; i < desirable.length; i++) {
            int side = desirable[i] ? 0 : 1;
            rewardSum[side] += settings.beta() * ratios[i];
            logpSum[side] += logps[i];
            count[side]++;
        }
        Map<String, Float> m = new LinkedHashMap<>();
        m.put("kl", kl);
        if (count[0] > 0) {
            m.put("rewards/chosen", (float) (rewardSum[0] / count[0]));
            m.put("logps/chosen", (float) (logpSum[0] / count[0]));
        }
        if (count[1] > 0) {
            m.put("rewards/rejected", (float) (rewardSum[1] / count[1]));
            m.put("logps/rejected", (float) (logpSum[1] / count[1]));
        }
        if (count[0] > 0 && count[1] > 0) {
            m.put("rewards/margins", m.get("rewards/chosen") - m.get("rewards/rejected"));
        }
        return m;
    }
}
