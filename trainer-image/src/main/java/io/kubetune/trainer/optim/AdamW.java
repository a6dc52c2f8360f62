package io.kubetune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.Gradients;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, step for step as {@code torch.optim.AdamW}: decay the weights
 * by {@code lr * weightDecay}, update the moments, then step by {@code lr / (1 - beta1^t)} times
 * {@code m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}.
 *
 * <p>Runs outside any GradientCollector, so the in-place updates are not recorded by autograd and
 * its Java scalars are safe (shared DJL-NOTES bug 1 concerns differentiated code only). Its state
 * is plain named arrays so a checkpoint can save and restore it exactly.
 */
public final class AdamW implements AutoCloseable {
    private final Map<String, Parameter> parameters;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long steps;

    /**
     * @param parameters by a name that is stable across runs, which keys the saved state
     */
    public AdamW(
            Map<String, Parameter> parameters,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            NDManager parent) {
        this.parameters = new LinkedHashMap<>(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.stateManager = parent.newSubManager();
    }

    /** transformers' defaults: betas (0.9, 0.999), eps 1e-8. */
    public static AdamW withDefaults(
            Map<String, Parameter> parameters, double weightDecay, NDManager parent) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, weightDecay, parent);
    }

    /** Applies one update with the gradients currently held by the parameters. */
    public void step(double learningRate) {
        steps++;
        double stepSize = learningRate / (1 - Math.pow(beta1, steps));
        double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        for (Map.Entry<String, Parameter> named : parameters.entrySet()) {
            Parameter parameter = named.getValue();
            NDArray weight = parameter.getArray();
            try (NDManager scratch = stateManager.newSubManager()) {
                NDArray grad = Gradients.handle(parameter, scratch).toType(DataType.FLOAT32, false);
                NDArray m = firstMoments.computeIfAbsent(named.getKey(), id -> zerosLike(grad));
                NDArray v = secondMoments.computeIfAbsent(named.getKey(), id -> zerosLike(grad));
                m.muli(beta1).addi(grad.mul(1 - beta1));
                v.muli(beta2).addi(grad.square().muli(1 - beta2));
                // Results belong to their first operand's manager: move those of m and v out.
                NDArray denominator = v.sqrt();
                denominator.attach(scratch);
                denominator.divi(correction2Sqrt).addi(eps);
                NDArray update = m.div(denominator);
                update.attach(scratch);
                update.muli(stepSize);
                if (weightDecay != 0) {
                    weight.muli(1 - learningRate * weightDecay);
                }
                weight.subi(update.toType(weight.getDataType(), false));
            }
        }
    }

    private NDArray zerosLike(NDArray like) {
        return stateManager.zeros(like.getShape(), DataType.FLOAT32, like.getDevice());
    }

    /**
     * Counts a step that changed nothing (an fp16 overflow), so the step count stays one per batch.
     * Unlike torch, where a skipped step leaves Adam's count alone, the bias correction then uses
     * the count with the skip: a small difference over the first steps only.
     */
    public void skip() {
        steps++;
    }

    /** Steps taken so far, skipped ones included (torch's per-parameter "step" without skips). */
    public long steps() {
        return steps;
    }

    /** The moments by parameter name, for checkpoints: "exp_avg/NAME" and "exp_avg_sq/NAME". */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        firstMoments.forEach((id, m) -> state.put("exp_avg/" + id, m));
        secondMoments.forEach((id, v) -> state.put("exp_avg_sq/" + id, v));
        return state;
    }

    /** Restores what {@link #state()} and {@link #steps()} returned. */
    public void restore(Map<String, NDArray> state, long steps) {
        this.steps = steps;
        state.forEach(
                (key, array) -> {
                    NDArray copy = array.toType(DataType.FLOAT32, true);
                    copy.attach(stateManager);
                    String id = key.substring(key.indexOf('/') + 1);
                    (key.startsWith("exp_avg_sq/") ? secondMoments : firstMoments).put(id, copy);
                });
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
