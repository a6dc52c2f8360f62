package io.kubetune.trainer.train.stage.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.TrainableWeights;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.ReferenceModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One whole PPO update with sampling replaced by fixed rollouts equals TRL's (trl 1.12.0,
 * PPOTrainer.train(), full fine-tuning of a tiny GPT-2 policy and value model; fixture k1): our
 * reference model's log-probs, value model's values and reward model's scores of the rollout, the
 * advantages and returns from them, and the policy, value and total loss of each micro-batch of
 * both PPO epochs, the second after an AdamW step on policy and value model together.
 */
class PpoIterationParityTest {
    private static final Path MODELS = Path.of("src/test/resources/fixtures/ppo/models");
    private static final double TOLERANCE = 1e-5;

    @Test
    void oneUpdateOfTheModelsEqualsTrl() throws Exception {
        JsonObject f = PpoParityTest.load("k1");
        JsonObject r = f.getAsJsonObject("rollout");
        JsonObject s = f.getAsJsonObject("settings");
        PpoSettings settings = PpoParityTest.settings(s);
        long pad = f.get("pad_token_id").getAsLong();
        int context = r.get("context_length").getAsInt();
        long eos = f.get("eos_token_id").getAsLong();
        try (PretrainedModel policy = load("policy", Heads.LM);
                ReferenceModel ref = ReferenceModel.frozenCopy(load("ref", Heads.LM));
                PretrainedModel reward = load("reward", Heads.REWARD_MODEL);
                PretrainedModel value = load("value", Heads.REWARD_MODEL);
                NDManager m = policy.manager().newSubManager()) {
            RolloutScoring.Scored scored =
                    new RolloutScoring(
                                    policy,
                                    ref,
                                    ValueFunction.model(value),
                                    reward,
                                    settings,
                                    pad,
                                    eos,
                                    eos)
                            .score(
                                    ids(r.getAsJsonArray("queries")),
                                    ids(r.getAsJsonArray("responses")),
                                    PpoParityTest.matrix(m, r, "logprobs"),
                                    m);
            RolloutAdvantages rollout = scored.advantages();
            long[][] queryResponses = scored.queryResponses();
            assertArrayEquals(ids(r.getAsJsonArray("query_responses")), queryResponses);
            assertClose(r, "ref_logprobs", rollout.refLogprobs(), "rollout");
            assertClose(r, "values", rollout.values(), "rollout");
            assertClose(r, "scores", rollout.scores(), "rollout");
            assertClose(r, "advantages", rollout.advantages(), "rollout");
            assertClose(r, "returns", rollout.returns(), "rollout");

            Map<String, Parameter> trainable = new LinkedHashMap<>(full(policy));
            full(value).forEach((name, p) -> trainable.put("value/" + name, p));
            List<Float> losses = new ArrayList<>();
            Objective<PpoMicroBatch> objective =
                    recording(new PpoObjective(ValueFunction.model(value), settings), losses);
            List<JsonObject> micro = new ArrayList<>();
            f.getAsJsonArray("micro_batches").forEach(e -> micro.add(e.getAsJsonObject()));
            int batchSize = micro.get(0).getAsJsonArray("indices").size();
            try (AdamW adamW = AdamW.withDefaults(trainable, 0.0, policy.manager())) {
                TrainingLoop<PpoMicroBatch> loop =
                        new TrainingLoop<>(
                                policy,
                                objective,
                                trainable,
                                adamW,
                                new LearningRateSchedule(
                                        Scheduler.CONSTANT,
                                        s.get("learning_rate").getAsDouble(),
                                        0,
                                        micro.size()),
                                Double.POSITIVE_INFINITY,
                                0);
                List<List<int[]>> steps =
                        PpoEpochs.steps(permutations(micro), settings.miniBatches(), batchSize);
                int seen = 0;
                for (List<int[]> step : steps) {
                    List<PpoMicroBatch> batches = new ArrayList<>();
                    for (int[] indices : step) {
                        assertArrayEquals(
                                ints(micro.get(seen++).getAsJsonArray("indices")), indices);
                        batches.add(
                                new PpoMicroBatch(
                                        QueryResponses.of(
                                                rowsOf(queryResponses, indices), context, pad, m),
                                        rollout.rows(indices)));
                    }
                    loop.step(batches);
                }
                assertEquals(micro.size(), seen);
            }
            double worst = 0;
            for (int i = 0; i < micro.size(); i++) {
                JsonObject mb = micro.get(i);
                String at = "epoch " + mb.get("epoch") + " rows " + mb.get("indices");
                double want = mb.get("loss").getAsDouble();
                worst = Math.max(worst, Math.abs(want - losses.get(i)));
                assertEquals(want, losses.get(i), TOLERANCE * Math.max(1, Math.abs(want)), at);
            }
            System.out.printf("PPO update vs TRL: largest loss difference %.2e%n", worst);
        }
    }

    private static Objective<PpoMicroBatch> recording(PpoObjective inner, List<Float> losses) {
        return new Objective<>() {
            @Override
            public long normalizer(PpoMicroBatch batch) {
                return inner.normalizer(batch);
            }

            @Override
            public BatchLoss compute(
                    PretrainedModel model, PpoMicroBatch batch, NDManager scope, boolean training) {
                BatchLoss loss = inner.compute(model, batch, scope, training);
                losses.add(loss.sum().getFloat());
                return loss;
            }
        };
    }

    private static PretrainedModel load(String name, Heads heads) throws Exception {
        return PretrainedModel.load(MODELS.resolve(name), Device.cpu(), Precision.FP32, heads);
    }

    private static Map<String, Parameter> full(PretrainedModel model) {
        MethodSpec method = new MethodSpec();
        method.type = MethodType.FULL;
        return TrainableWeights.of(method, model.block(), List.of());
    }

    /** Each epoch's order of the rows, as TRL's micro-batches took them. */
    private static List<int[]> permutations(List<JsonObject> micro) {
        Map<Integer, List<Integer>> byEpoch = new java.util.TreeMap<>();
        for (JsonObject mb : micro) {
            List<Integer> order =
                    byEpoch.computeIfAbsent(mb.get("epoch").getAsInt(), e -> new ArrayList<>());
            mb.getAsJsonArray("indices").forEach(i -> order.add(i.getAsInt()));
        }
        List<int[]> out = new ArrayList<>();
        byEpoch.values().forEach(o -> out.add(o.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    private static long[][] rowsOf(long[][] rows, int[] indices) {
        long[][] out = new long[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            out[i] = rows[indices[i]];
        }
        return out;
    }

    private static void assertClose(JsonObject o, String key, NDArray actual, String at) {
        float[] got = actual.toFloatArray();
        float[] want = PpoParityTest.matrixOrVector(o, key);
        assertEquals(want.length, got.length, key);
        for (int i = 0; i < want.length; i++) {
            assertEquals(
                    want[i],
                    got[i],
                    TOLERANCE * Math.max(1, Math.abs(want[i])),
                    at + " " + key + "[" + i + "]");
        }
    }

    private static long[][] ids(JsonArray rows) {
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

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
