package io.kubetune.trainer.train.stage.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.Scalars;
import io.kubetune.trainer.train.BatchTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chunked, flat scoring of completion tokens gives the log-probs, entropies and gradients of
 * the straightforward computation on full {@code [rows, width, vocab]} logits ({@code
 * log_softmax(logits / d)} gathered at the tokens), with the head frozen (gradient computed ahead)
 * or training (chunks in the graph), at temperature 1 and not.
 */
class ChunkedTokenScoresTest {
    private static final double RELATIVE = 1e-5;
    // Small, so that the 2 x 5 positions span several chunks, the last one partial.
    private static final int CHUNK = 3;

    private static final Batch ROLLOUT =
            new Batch(
                    new int[][] {{5, 17, 300, 42, 101, 7, 3}, {9, 11, 13, 15, 2, 0, 0}},
                    new int[][] {{5, 17, 300, 42, 101, 7, 3}, {9, 11, 13, 15, 2, 0, 0}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}},
                    new int[][] {{0, 1, 2, 3, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});

    // The completion tokens at positions 2..6, predicted by positions 1..5.
    private static final long[] COMPLETIONS = {300, 42, 101, 7, 3, 13, 15, 2, 0, 0};
    // A per-token weighting (an advantage times a mask), so each token's gradient counts apart.
    private static final float[] WEIGHTS = {0.5f, -1f, 2f, 0.25f, 1f, -0.75f, 1.5f, 1f, 0f, 0f};
    // The second row's last two tokens are padding: only the chunked path skips them.
    private static final float[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};

    @ParameterizedTest(name = "{0}, head trains: {1}, divisor {2}, padding skipped: {3}")
    @CsvSource({
        "llama, false, 1.0, true",
        "llama, false, 0.7, false",
        "llama, true, 1.0, true",
        "gpt2, false, 1.3000001, true",
        "gpt2, true, 0.7, false",
        "qwen2, false, 1.0, true"
    })
    void givesTheFullLogitsLogProbsEntropiesAndGradients(
            String name, boolean headTrains, double divisor, boolean skipPadding) throws Exception {
        Path dir = Path.of("src/test/resources/fixtures/models", name);
        try (PretrainedModel model = PretrainedModel.load(dir, Device.cpu(), Precision.FP32)) {
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                boolean head =
                        p.getKey().contains("embed_tokens") || p.getKey().contains("lm_head");
                p.getValue().freeze(head && !headTrains);
            }
            Result full = run(model, divisor, true, skipPadding);
            Result chunked = run(model, divisor, false, skipPadding);
            assertClose("log-probs", chunked.logps, full.logps, RELATIVE);
            assertClose("entropies", chunked.entropies, full.entropies, RELATIVE);
            assertThat(chunked.gradients.keySet()).isEqualTo(full.gradients.keySet());
            assertThat(
                            full.gradients.keySet().stream()
                                    .anyMatch(
                                            k ->
                                                    k.contains("lm_head")
                                                            || k.contains("embed_tokens")))
                    .isEqualTo(headTrains);
            double largest =
                    full.gradients.values().stream().mapToDouble(g -> norm(g)).max().orElse(0);
            for (String parameter : full.gradients.keySet()) {
                // A gradient that is zero but for rounding (GPT-2's key bias: softmax ignores a
                // shift every key shares) is compared to the largest one instead of itself.
                float[] expected = full.gradients.get(parameter);
                assertThat(distance(chunked.gradients.get(parameter), expected))
                        .as("relative gradient difference of %s", parameter)
                        .isLessThan(RELATIVE * Math.max(norm(expected), 1e-3 * largest));
            }
        }
    }

    private static void assertClose(String what, float[] actual, float[] expected, double rel) {
        assertThat(norm(expected)).as("%s is all zero", what).isPositive();
        assertThat(distance(actual, expected) / norm(expected))
                .as("relative difference of %s", what)
                .isLessThan(rel);
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    private record Result(float[] logps, float[] entropies, Map<String, float[]> gradients) {}

    private static Result run(
            PretrainedModel model, double divisor, boolean full, boolean skipPadding) {
        Gradients.zero(model.block());
        Map<String, float[]> gradients = new LinkedHashMap<>();
        float[] logps;
        float[] entropies;
        try (NDManager scope = model.manager().newSubManager()) {
            BatchTensors tensors = BatchTensors.of(ROLLOUT, scope);
            NDArray ids = scope.create(COMPLETIONS, new Shape(2, 5));
            NDArray weights = scope.create(WEIGHTS, new Shape(2, 5));
            NDArray mask = scope.create(MASK, new Shape(2, 5));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ModelOutput output =
                        model.block().forward(model.parameterStore(), tensors.input(), true);
                NDArray hidden = output.hidden().get(":, 1:6, :");
                TokenLogps scores =
                        full
                                ? fullLogits(output, hidden, ids, divisor)
                                : ChunkedTokenScores.score(
                                        output,
                                        hidden,
                                        ids,
                                        skipPadding ? mask : null,
                                        divisor,
                                        CHUNK);
                collector.backward(scores.logps().mul(weights).sum());
                if (!full && skipPadding) {
                    assertThat(scores.logps().get("1, 3:").toFloatArray()).containsOnly(0f);
                    assertThat(scores.entropies().get("1, 3:").toFloatArray()).containsOnly(0f);
                }
                // Padding is not scored: compared where the mask is 1, 0 elsewhere.
                logps = scores.logps().mul(mask).toFloatArray();
                entropies = scores.entropies().mul(mask).toFloatArray();
            }
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    gradients.put(p.getKey(), Gradients.handle(p.getValue(), scope).toFloatArray());
                }
            }
        }
        Gradients.zero(model.block());
        return new Result(logps, entropies, gradients);
    }

    // TRL's _get_per_token_logps_and_entropies on the whole [rows, width, vocab] logits.
    private static TokenLogps fullLogits(
            ModelOutput output, NDArray hidden, NDArray ids, double divisor) {
        NDArray logits = output.logitsOf(hidden);
        NDArray logSoftmax = logits.div(Scalars.like(logits, divisor)).logSoftmax(-1);
        NDArray logps = logSoftmax.gather(ids.toType(DataType.INT64, false).expandDims(-1), 2);
        NDArray p = logSoftmax.stopGradient();
        return new TokenLogps(logps.squeeze(-1), p.exp().mul(p).sum(new int[] {-1}).neg());
    }
}
