package io.kubetune.trainer.train.stage.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.GrpoLossType;
import io.kubetune.api.v1alpha1.RewardScaling;
import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.peft.LoraMethod;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.ReferenceModel;
import io.kubetune.trainer.train.stage.rollout.Rollout;
import io.kubetune.trainer.train.stage.rollout.RolloutTensors;
import io.kubetune.trainer.train.stage.rollout.TokenLogps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One GRPO iteration on recorded rollouts against TRL 1.16's GRPOTrainer (tools/reference/
 * make_grpo_fixtures.py): advantages to 1e-6, per-token log-probs, reference log-probs (LoRA off)
 * and the loss of each loss type, on- and off-policy, to 1e-5, with TRL's metrics.
 */
class GrpoParityTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/grpo");
    static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static JsonNode reference;
    private static PretrainedModel model;
    private static Adapters adapters;

    @BeforeAll
    static void load() throws IOException {
        reference = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
        model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
        adapters =
                new LoraMethod()
                        .read(
                                DIR.resolve("initial-adapter"),
                                model.block(),
                                DataType.FLOAT32,
                                model.manager());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<Integer> cases() throws IOException {
        JsonNode all = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < all.get("cases").size(); i++) {
            out.add(i);
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTrl(int index) {
        JsonNode c = reference.get("cases").get(index);
        GrpoSettings settings = settings(c);
        GroupAdvantages advantages =
                GroupAdvantages.of(
                        floats(reference.get("rewards")),
                        settings.numGenerations(),
                        settings.scaleRewards());
        assertClose(advantages.advantages(), floats(c.get("advantages")), 1e-6, "advantages");
        // One group of three has equal rewards; the batch's std is not 0.
        double zeroStd = settings.scaleRewards() == RewardScaling.BATCH ? 0 : 1.0 / 3;
        assertThat(advantages.zeroStdFraction()).isCloseTo(zeroStd, within(1e-6));

        try (NDManager scope = model.manager().newSubManager()) {
            RolloutTensors tensors =
                    RolloutTensors.of(rollout(), scope, reference.get("eos").asLong());
            NDArray mask = tensors.completionMask();
            TokenLogps policy = TokenLogps.of(model, tensors, settings.temperature(), true);
            assertMaskedClose(policy.logps(), c.get("per_token_logps"), mask, 1e-5, "logps");
            assertMaskedClose(policy.entropies(), c.get("entropies"), mask, 1e-4, "entropy");
            NDArray ref = null;
            if (settings.beta() != 0) {
                try (ReferenceModel off = ReferenceModel.adaptersDisabled(model, adapters)) {
                    ref =
                            off.apply(m -> TokenLogps.of(m, tensors, settings.temperature(), false))
                                    .logps();
                }
                assertMaskedClose(ref, c.get("ref_per_token_logps"), mask, 1e-5, "ref logps");
            }
            NDArray a = scope.create(advantages.advantages());
            GrpoLoss loss = new GrpoLoss(settings);
            double normalizer =
                    settings.lossType() == GrpoLossType.DAPO ? tensors.completionTokens() : 1;
            GrpoLoss.Result onPolicy = loss.compute(policy.logps(), null, ref, a, mask);
            assertThat(onPolicy.sum().getFloat() / normalizer)
                    .as("loss")
                    .isCloseTo(c.get("loss").asDouble(), within(1e-5));
            assertMetrics(onPolicy, c.get("metrics"));
            NDArray old = array(scope, c.get("old_per_token_logps"));
            GrpoLoss.Result offPolicy = loss.compute(policy.logps(), old, ref, a, mask);
            assertThat(offPolicy.sum().getFloat() / normalizer)
                    .as("off-policy loss")
                    .isCloseTo(c.get("loss_off_policy").asDouble(), within(1e-5));
            assertMetrics(offPolicy, c.get("metrics_off_policy"));
            assertThat(offPolicy.metrics().get("clip_ratio/region_mean").mean()).isPositive();
        }
        assertThat(gradNorm(settings, advantages.advantages(), c, null))
                .as("grad norm")
                .isCloseTo(
                        c.get("grad_norm").asDouble(),
                        within(1e-4 * c.get("grad_norm").asDouble()));
        assertThat(gradNorm(settings, advantages.advantages(), c, c.get("old_per_token_logps")))
                .as("off-policy grad norm")
                .isCloseTo(
                        c.get("grad_norm_off_policy").asDouble(),
                        within(1e-4 * c.get("grad_norm_off_policy").asDouble()));
    }

    /** The L2 norm of the loss's gradient over the LoRA weights, as TRL's fixture reports it. */
    private static double gradNorm(
            GrpoSettings settings, float[] advantages, JsonNode c, JsonNode oldLogps) {
        java.util.Collection<ai.djl.nn.Parameter> weights = adapters.trainable().values();
        try (NDManager scope = model.manager().newSubManager();
                ai.djl.training.GradientCollector collector =
                        ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            RolloutTensors tensors =
                    RolloutTensors.of(rollout(), scope, reference.get("eos").asLong());
            TokenLogps policy = TokenLogps.of(model, tensors, settings.temperature(), true);
            NDArray ref = null;
            if (settings.beta() != 0) {
                try (ReferenceModel off = ReferenceModel.adaptersDisabled(model, adapters)) {
                    ref =
                            off.apply(m -> TokenLogps.of(m, tensors, settings.temperature(), false))
                                    .logps()
                                    .stopGradient();
                }
            }
            NDArray old = oldLogps == null ? null : array(scope, oldLogps);
            GrpoLoss.Result result =
                    new GrpoLoss(settings)
                            .compute(
                                    policy.logps(),
                                    old,
                                    ref,
                                    scope.create(advantages),
                                    tensors.completionMask());
            double normalizer =
                    settings.lossType() == GrpoLossType.DAPO ? tensors.completionTokens() : 1;
            NDArray loss = result.sum().div(scope.full(new Shape(), (float) normalizer));
            collector.backward(loss);
            double squares = 0;
            for (ai.djl.nn.Parameter p : weights) {
                NDArray g = p.getArray().getGradient();
                squares += g.square().sum().toType(DataType.FLOAT64, false).getDouble();
            }
            io.kubetune.trainer.model.Gradients.zero(weights);
            return Math.sqrt(squares);
        }
    }

    private static void assertMetrics(GrpoLoss.Result result, JsonNode expected) {
        for (String name :
                List.of(
                        "kl",
                        "clip_ratio/low_mean",
                        "clip_ratio/high_mean",
                        "clip_ratio/region_mean")) {
            if (expected.has(name)) {
                Metric m = result.metrics().get(name);
                assertThat(m).as(name).isNotNull();
                assertThat(m.mean())
                        .as(name)
                        .isCloseTo(expected.get(name).asDouble(), within(1e-5));
            }
        }
    }

    static GrpoSettings settings(JsonNode c) {
        return new GrpoSettings(
                reference.get("num_generations").asInt(),
                reference.get("max_completion_length").asInt(),
                reference.get("temperature").asDouble(),
                0,
                1.0,
                c.get("beta").asDouble(),
                0.2,
                0.2,
                GrpoLossType.valueOf(c.get("loss_type").asText().toUpperCase(Locale.ROOT)),
                RewardScaling.valueOf(c.get("scale_rewards").asText().toUpperCase(Locale.ROOT)),
                List.of(),
                1.0);
    }

    static Rollout rollout() {
        int g = reference.get("num_generations").asInt();
        JsonNode completions = reference.get("completions");
        int rows = completions.size();
        List<long[]> prompts = new ArrayList<>();
        long[][] tokens = new long[rows][];
        float[][] logps = new float[rows][];
        boolean[] eos = new boolean[rows];
        long eosId = reference.get("eos").asLong();
        for (int r = 0; r < rows; r++) {
            prompts.add(longs(reference.get("prompt_ids").get(r / g)));
            tokens[r] = longs(completions.get(r));
            logps[r] = new float[tokens[r].length];
            eos[r] = tokens[r][tokens[r].length - 1] == eosId;
        }
        return new Rollout(prompts, new Completions(tokens, logps, eos));
    }

    private static void assertMaskedClose(
            NDArray actual, JsonNode expected, NDArray mask, double tolerance, String what) {
        float[] a = actual.toFloatArray();
        float[] m = mask.toFloatArray();
        float[] e = flat(expected);
        assertThat(a).hasSameSizeAs(e);
        for (int i = 0; i < a.length; i++) {
            if (m[i] != 0) {
                assertThat(a[i]).as("%s[%d]", what, i).isCloseTo(e[i], within((float) tolerance));
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected, double tol, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within((float) tol));
        }
    }

    private static NDArray array(NDManager scope, JsonNode rows) {
        return scope.create(flat(rows), new Shape(rows.size(), rows.get(0).size()));
    }

    private static float[] flat(JsonNode rows) {
        List<Float> out = new ArrayList<>();
        rows.forEach(row -> row.forEach(v -> out.add((float) v.asDouble())));
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    static float[] floats(JsonNode values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) values.get(i).asDouble();
        }
        return a;
    }

    static long[] longs(JsonNode values) {
        long[] a = new long[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i).asLong();
        }
        return a;
    }
}
