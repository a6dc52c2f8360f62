package io.kubetune.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.kubetune.api.v1alpha1.PreferenceLoss;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.BatchTensors;
import io.kubetune.trainer.train.stage.preference.DpoLoss;
import io.kubetune.trainer.train.stage.preference.PreferenceSettings;
import io.kubetune.trainer.train.stage.preference.SequenceLogps;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scoring only the labelled positions, in chunks, gives the loss and the gradients of every
 * parameter that the full-logits path gives ({@link CausalLmLoss} over {@code [batch, seq,
 * vocab]}), whether the LM head is frozen (its gradient computed ahead, logits freed per chunk) or
 * trains (chunks kept in the graph).
 */
class LabelledLogProbsTest {
    private static final int X = TokenizedSample.IGNORE;
    private static final double RELATIVE = 1e-5;
    // Small, so that every batch spans several chunks, the last one partial.
    private static final int CHUNK = 3;

    // Two padded rows, prompts masked: SFT with assistant-only loss.
    private static final Batch MASKED =
            new Batch(
                    new int[][] {{5, 17, 300, 42, 101, 7, 3}, {9, 11, 13, 15, 0, 0, 0}},
                    new int[][] {{X, X, X, 42, 101, 7, 3}, {X, X, 13, 15, X, X, X}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}},
                    new int[][] {{0, 1, 2, 3, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}});

    // Two samples packed in one row, each attending to itself only.
    private static final Batch PACKED =
            new Batch(
                    new int[][] {{5, 17, 300, 42, 9, 11, 13, 15}},
                    new int[][] {{X, X, 300, 42, X, X, 13, 15}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1, 1}},
                    new int[][] {{0, 1, 2, 3, 0, 1, 2, 3}},
                    new int[][] {{1, 1, 1, 1, 2, 2, 2, 2}});

    // A DPO pair batch: the chosen row, then the rejected one, the same prompt masked.
    private static final Batch PAIRS =
            new Batch(
                    new int[][] {{5, 17, 300, 42, 101, 7}, {5, 17, 300, 8, 99, 0}},
                    new int[][] {{X, X, X, 42, 101, 7}, {X, X, X, 8, 99, X}},
                    new int[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0}},
                    new int[][] {{0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5}},
                    new int[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0}});

    @ParameterizedTest(name = "{0}, head trains: {1}")
    @CsvSource({"llama, false", "llama, true", "gpt2, false", "gpt2, true", "qwen2, false"})
    void sftWithMaskingGivesTheFullLogitsLossAndGradients(String model, boolean headTrains)
            throws Exception {
        compare(model, headTrains, MASKED, LabelledLogProbsTest::sftLoss);
    }

    @ParameterizedTest(name = "{0}, head trains: {1}")
    @CsvSource({"llama, false", "gpt2, true"})
    void packedSftGivesTheFullLogitsLossAndGradients(String model, boolean headTrains)
            throws Exception {
        compare(model, headTrains, PACKED, LabelledLogProbsTest::sftLoss);
    }

    @ParameterizedTest(name = "{0}, head trains: {1}, {2}")
    @CsvSource({"llama, false, ORPO", "qwen2, true, SIMPO", "gpt2, false, ORPO"})
    void preferenceLossGivesTheFullLogitsLossAndGradients(
            String model, boolean headTrains, PreferenceLoss kind) throws Exception {
        DpoLoss dpo = new DpoLoss(new PreferenceSettings(kind, 0.1f, 0, 0.5f, 0, 0));
        compare(
                model,
                headTrains,
                PAIRS,
                (output, labels) -> dpo.compute(sequenceLogps(output, labels), null).loss());
    }

    // The loss summed over counted tokens, as CausalLmObjective returns it.
    private static NDArray sftLoss(Scored scored, NDArray labels) {
        return scored.tokenLogProbSum(labels).neg();
    }

    private static SequenceLogps sequenceLogps(Scored scored, NDArray labels) {
        return scored.full ? fullSequenceLogps(scored.output, labels) : scored.sequence(labels);
    }

    private static SequenceLogps fullSequenceLogps(ModelOutput output, NDArray labels) {
        NDArray sums = CausalLmLoss.tokenLosses(output.logits(), labels).sum(new int[] {1}).neg();
        SequenceLogps counted = SequenceLogps.of(output, labels);
        NDList s = sums.split(2);
        return new SequenceLogps(
                s.get(0), s.get(1), counted.chosenTokens(), counted.rejectedTokens());
    }

    /** A pass and which path scores it. */
    private record Scored(ModelOutput output, boolean full) {
        NDArray tokenLogProbSum(NDArray labels) {
            return full
                    ? CausalLmLoss.tokenLosses(output.logits(), labels).sum().neg()
                    : LabelledLogProbs.of(output, labels, CHUNK).sum();
        }

        SequenceLogps sequence(NDArray labels) {
            return SequenceLogps.of(LabelledLogProbs.of(output, labels, CHUNK), labels);
        }
    }

    private static void compare(
            String name, boolean headTrains, Batch batch, BiFunction<Scored, NDArray, NDArray> loss)
            throws Exception {
        Path dir = Path.of("src/test/resources/fixtures/models", name);
        try (PretrainedModel model = PretrainedModel.load(dir, Device.cpu(), Precision.FP32)) {
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                boolean head =
                        p.getKey().contains("embed_tokens") || p.getKey().contains("lm_head");
                if (head && !headTrains) {
                    p.getValue().freeze(true);
                }
            }
            Result full = run(model, batch, loss, true);
            Result chunked = run(model, batch, loss, false);
            assertThat(chunked.loss).isCloseTo(full.loss, relative(full.loss));
            assertThat(chunked.gradients.keySet()).isEqualTo(full.gradients.keySet());
            assertThat(full.gradients).containsKey(headTrains ? headName(full) : bodyName(full));
            double global =
                    full.gradients.values().stream().mapToDouble(g -> norm(g)).max().orElse(0);
            assertThat(global).isPositive();
            for (String parameter : full.gradients.keySet()) {
                float[] a = full.gradients.get(parameter);
                float[] b = chunked.gradients.get(parameter);
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
                }
                // Relative in the L2 norm: the worst single element of a float32 sum summed in
                // another order is off by a few ulps of the largest one (1.01e-5 of the maximum
                // seen on one CPU), which says nothing about the method. A gradient that is zero
                // but for rounding (GPT-2's key bias: softmax ignores a shift every key shares) is
                // compared to the largest one instead of itself.
                double scale = Math.max(norm(a), 1e-3 * global);
                assertThat(Math.sqrt(diff) / scale)
                        .as("relative gradient difference of %s", parameter)
                        .isLessThanOrEqualTo(RELATIVE);
            }
        }
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    private static String headName(Result r) {
        return r.gradients.keySet().stream()
                .filter(k -> k.contains("embed_tokens") || k.contains("lm_head"))
                .findFirst()
                .orElse("a head parameter");
    }

    private static String bodyName(Result r) {
        return r.gradients.keySet().stream()
                .filter(k -> k.contains("layer0"))
                .findFirst()
                .orElse("a layer0 parameter");
    }

    private static org.assertj.core.data.Offset<Double> relative(double value) {
        return org.assertj.core.data.Offset.offset(Math.abs(value) * RELATIVE);
    }

    private record Result(double loss, Map<String, float[]> gradients) {}

    private static Result run(
            PretrainedModel model,
            Batch batch,
            BiFunction<Scored, NDArray, NDArray> loss,
            boolean full) {
        Gradients.zero(model.block());
        Map<String, float[]> gradients = new LinkedHashMap<>();
        double value;
        try (NDManager scope = model.manager().newSubManager()) {
            BatchTensors tensors = BatchTensors.of(batch, scope);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ModelOutput output =
                        model.block().forward(model.parameterStore(), tensors.input(), true);
                NDArray l = loss.apply(new Scored(output, full), tensors.labels());
                collector.backward(l);
                value = l.getFloat();
            }
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    NDArray g = Gradients.handle(p.getValue(), scope);
                    gradients.put(p.getKey(), g.toFloatArray());
                }
            }
        }
        Gradients.zero(model.block());
        return new Result(value, gradients);
    }
}
