package io.kubetune.trainer.train.stage.ppo;

import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.ValueHead;
import java.util.function.Supplier;

/**
 * Where PPO's values come from: a value model of its own (TRL's PPOTrainer: a second backbone with
 * a score head, trained beside the policy) or a {@link ValueHead} on the policy's own hidden states
 * (LLaMA-Factory's AutoModelForCausalLMWithValueHead: one backbone, one forward pass).
 */
public interface ValueFunction {
    /**
     * @param policyPass the policy's pass over {@code rows}, run only when this function reads the
     *     policy's hidden states
     * @return [B, L] the values before each response token, differentiable when training
     */
    ai.djl.ndarray.NDArray values(
            Supplier<ModelOutput> policyPass, QueryResponses rows, boolean training);

    /** A separate value model with a score head, run on the same rows. */
    static ValueFunction model(PretrainedModel valueModel) {
        return (policyPass, rows, training) ->
                ScoreReadout.values(
                        valueModel
                                .block()
                                .forward(valueModel.parameterStore(), rows.input(), training),
                        rows);
    }

    /** A value head on the policy's last hidden states. */
    static ValueFunction head(ValueHead head, ai.djl.training.ParameterStore ps) {
        return (policyPass, rows, training) ->
                head.values(
                        ps,
                        policyPass.get().hidden().get(rows.predictingPositions() + ", :"),
                        training);
    }
}
