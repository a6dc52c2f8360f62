package io.kubetune.trainer.train.stage.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.ValueHead;
import io.kubetune.trainer.train.stage.BatchLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * PPO with LLaMA-Factory's layout, a value head on the policy's own hidden states: the values are
 * the head applied at the positions before each response token, and the PPO loss trains head and
 * backbone together.
 */
class SharedValueHeadTest {
    @Test
    void valueHeadOnThePolicyIsTrainedByThePpoLoss() throws Exception {
        JsonObject f = PpoParityTest.load("k1");
        JsonObject r = f.getAsJsonObject("rollout");
        PpoSettings settings = PpoParityTest.settings(f.getAsJsonObject("settings"));
        long pad = f.get("pad_token_id").getAsLong();
        int context = r.get("context_length").getAsInt();
        try (PretrainedModel policy =
                        PretrainedModel.load(
                                Path.of("src/test/resources/fixtures/ppo/models/policy"),
                                Device.cpu(),
                                Precision.FP32);
                NDManager m = policy.manager().newSubManager()) {
            ValueHead head =
                    new ValueHead(policy.block().hiddenSize())
                            .initialized(policy.manager(), DataType.FLOAT32);
            ValueFunction values = ValueFunction.head(head, policy.parameterStore());
            QueryResponses rows = QueryResponses.of(ids(r, "query_responses"), context, pad, m);

            ModelOutput pass = policy.block().forward(policy.parameterStore(), rows.input(), false);
            NDArray hidden = pass.hidden().get(":, " + (context - 1) + ":-1, :");
            NDArray manual =
                    hidden.matMul(head.summary().weight().getArray().transpose())
                            .squeeze(-1)
                            .add(head.summary().bias().getArray());
            assertArrayEquals(
                    manual.toFloatArray(),
                    values.values(() -> pass, rows, false).toFloatArray(),
                    1e-6f);

            RolloutAdvantages rollout =
                    RolloutAdvantages.of(
                            PpoParityTest.matrix(m, r, "logprobs"),
                            PpoParityTest.matrix(m, r, "ref_logprobs"),
                            PpoParityTest.matrix(m, r, "values"),
                            m.create(PpoParityTest.matrixOrVector(r, "scores")),
                            ResponseMasks.of(ids(r, "postprocessed_responses"), pad, m),
                            settings);
            head.summary().weight().getArray().setRequiresGradient(true);
            head.summary().bias().getArray().setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                BatchLoss loss =
                        new PpoObjective(values, settings)
                                .compute(policy, new PpoMicroBatch(rows, rollout), m, true);
                collector.backward(loss.sum());
            }
            assertTrue(head.summary().weight().getArray().getGradient().abs().sum().getFloat() > 0);
            assertTrue(head.summary().bias().getArray().getGradient().abs().getFloat() > 0);
            NDArray embedding = policy.block().weightBindings().get(0).parameter().getArray();
            assertTrue(embedding.getGradient().abs().sum().getFloat() > 0, "backbone trained too");
        }
    }

    private static long[][] ids(JsonObject o, String key) {
        JsonArray rows = o.getAsJsonArray(key);
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = rows.get(i).getAsJsonArray();
            out[i] = new long[row.size()];
            for (int j = 0; j < row.size(); j++) {
                out[i][j] = row.get(j).getAsLong();
            }
        }
        return out;
    }
}
