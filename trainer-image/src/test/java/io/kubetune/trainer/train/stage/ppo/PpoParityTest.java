package io.kubetune.trainer.train.stage.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.model.Scalars;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PPO's deterministic parts against one update of TRL's own PPOTrainer.train() on fixed rollouts
 * (tools/reference/make_ppo_fixtures.py, trl 1.12.0): masks, KL-penalised rewards, advantages and
 * returns from the rollout; policy, value and total loss and clip fractions of every micro-batch of
 * every PPO epoch from its new log-probs and values, with the gradients the loss sends back into
 * them; and the logged metrics. k1 without reward whitening, and k3 with it.
 */
class PpoParityTest {
    private static final double TOLERANCE = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {"k1", "k3_whiten"})
    void oneUpdateEqualsTrl(String name) throws Exception {
        JsonObject fixture = load(name);
        worst = 0;
        JsonObject r = fixture.getAsJsonObject("rollout");
        PpoSettings settings = settings(fixture.getAsJsonObject("settings"));
        long pad = fixture.get("pad_token_id").getAsLong();
        long eos = fixture.get("eos_token_id").getAsLong();
        try (NDManager manager = NDManager.newBaseManager()) {
            long[][] sampled = ids(r.getAsJsonArray("responses"));
            long[][] truncated = ResponseMasks.truncateAfterStop(sampled, eos, pad);
            assertArrayEquals(ids(r.getAsJsonArray("postprocessed_responses")), truncated);
            ResponseMasks masks = ResponseMasks.of(truncated, pad, manager);
            assertArrayEquals(
                    longs(r.getAsJsonArray("sequence_lengths")),
                    masks.sequenceLengths().toLongArray());

            RolloutAdvantages rollout =
                    RolloutAdvantages.of(
                            matrix(manager, r, "logprobs"),
                            matrix(manager, r, "ref_logprobs"),
                            matrix(manager, r, "values"),
                            manager.create(floats(r.getAsJsonArray("scores"))),
                            masks,
                            settings);
            assertClose(r, "kl", rollout.rewards().kl());
            assertClose(r, "non_score_reward", rollout.rewards().nonScore());
            assertClose(r, "rewards", rollout.rewards().rewards());
            assertClose(r, "returns", rollout.returns());
            assertClose(r, "advantages", rollout.advantages());

            float accumulation =
                    fixture.getAsJsonObject("settings")
                            .get("gradient_accumulation_steps")
                            .getAsFloat();
            PpoStats stats = new PpoStats();
            for (JsonElement e : fixture.getAsJsonArray("micro_batches")) {
                JsonObject micro = e.getAsJsonObject();
                RolloutAdvantages rows = rollout.rows(ints(micro.getAsJsonArray("indices")));
                NDArray newLogprobs = matrix(manager, micro, "new_logprobs");
                NDArray newValues = matrix(manager, micro, "vpred");
                newLogprobs.setRequiresGradient(true);
                newValues.setRequiresGradient(true);
                PpoLoss loss;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    loss = PpoLoss.of(newLogprobs, newValues, rows, settings);
                    // accelerate divides the loss by the accumulation steps before backward.
                    collector.backward(loss.loss().div(Scalars.like(loss.loss(), accumulation)));
                }
                String at = name + " epoch " + micro.get("epoch") + " " + micro.get("indices");
                assertClose(micro, "pg_loss", loss.policyLoss().getFloat(), at);
                assertClose(micro, "vf_loss", loss.valueLoss().getFloat(), at);
                assertClose(micro, "loss", loss.loss().getFloat(), at);
                assertClose(micro, "pg_clipfrac", loss.policyClipFraction(), at);
                assertClose(micro, "vf_clipfrac", loss.valueClipFraction(), at);
                assertClose(micro, "new_logprobs_grad", newLogprobs.getGradient());
                assertClose(micro, "vpred_grad", newValues.getGradient());
                stats.add(loss, PpoLoss.entropy(cube(manager, micro.getAsJsonArray("logits"))));
            }
            long eosTokens = 0;
            for (long[] row : sampled) {
                for (long token : row) {
                    eosTokens += token == eos ? 1 : 0;
                }
            }
            JsonObject expected = fixture.getAsJsonObject("metrics");
            Map<String, Float> metrics = stats.metrics(rollout, eosTokens);
            assertEquals(expected.keySet(), metrics.keySet());
            for (Map.Entry<String, Float> m : metrics.entrySet()) {
                assertClose(expected, m.getKey(), m.getValue(), name + " metrics");
            }
            System.out.printf("PPO parity %s: largest difference %.2e%n", name, worst);
        }
    }

    static PpoSettings settings(JsonObject s) {
        return new PpoSettings(
                s.get("kl_coef").getAsDouble(),
                KlEstimator.valueOf(s.get("kl_estimator").getAsString().toUpperCase()),
                s.get("gamma").getAsDouble(),
                s.get("lam").getAsDouble(),
                s.get("cliprange").getAsDouble(),
                s.get("cliprange_value").getAsDouble(),
                s.get("vf_coef").getAsDouble(),
                s.get("whiten_rewards").getAsBoolean(),
                s.get("num_ppo_epochs").getAsInt(),
                s.get("num_mini_batches").getAsInt(),
                s.get("temperature").getAsDouble(),
                PpoSettings.TRL_DEFAULTS.responseLength(),
                null);
    }

    static JsonObject load(String name) throws Exception {
        try (Reader reader =
                new InputStreamReader(
                        PpoParityTest.class.getResourceAsStream("/fixtures/ppo/" + name + ".json"),
                        StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(reader).getAsJsonObject();
        }
    }

    private static void assertClose(JsonObject o, String key, NDArray actual) {
        float[] got = actual.toFloatArray();
        float[] want = flatten(o.getAsJsonArray(key));
        assertEquals(want.length, got.length, key);
        for (int i = 0; i < want.length; i++) {
            assertClose(want[i], got[i], key + "[" + i + "]");
        }
    }

    private static void assertClose(JsonObject o, String key, float actual, String at) {
        assertClose(o.get(key).getAsDouble(), actual, at + " " + key);
    }

    private static double worst;

    private static void assertClose(double want, double got, String what) {
        worst = Math.max(worst, Math.abs(want - got) / Math.max(1, Math.abs(want)));
        assertEquals(want, got, TOLERANCE * Math.max(1, Math.abs(want)), what);
    }

    static NDArray matrix(NDManager manager, JsonObject o, String key) {
        JsonArray rows = o.getAsJsonArray(key);
        int b = rows.size();
        int l = rows.get(0).getAsJsonArray().size();
        return manager.create(flatten(rows), new Shape(b, l));
    }

    private static NDArray cube(NDManager manager, JsonArray a) {
        int b = a.size();
        int l = a.get(0).getAsJsonArray().size();
        int v = a.get(0).getAsJsonArray().get(0).getAsJsonArray().size();
        return manager.create(flatten(a), new Shape(b, l, v));
    }

    /** Any array of numbers in {@code o}, flattened. */
    static float[] matrixOrVector(JsonObject o, String key) {
        return flatten(o.getAsJsonArray(key));
    }

    private static float[] flatten(JsonArray a) {
        java.util.List<Float> out = new java.util.ArrayList<>();
        flattenInto(a, out);
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = out.get(i);
        }
        return f;
    }

    private static void flattenInto(JsonElement e, java.util.List<Float> out) {
        if (e.isJsonArray()) {
            for (JsonElement c : e.getAsJsonArray()) {
                flattenInto(c, out);
            }
        } else {
            out.add(e.getAsFloat());
        }
    }

    private static float[] floats(JsonArray a) {
        return flatten(a);
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
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

    private static long[][] ids(JsonArray rows) {
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(rows.get(i).getAsJsonArray());
        }
        return out;
    }
}
