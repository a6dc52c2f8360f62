package io.kubetune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW, warm-up schedules and clipping against torch + transformers on fixed gradients. */
class AdamWTest {
    private static final double TOLERANCE = 2e-6;

    @Test
    void everyStepMatchesTorchAdamWWithCosineWarmupAndClipping() throws IOException {
        JsonNode f = fixture();
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter weight =
                    parameter("weight", floats(f.get("initial_weight")), new Shape(4, 3), manager);
            Parameter bias =
                    parameter("bias", floats(f.get("initial_bias")), new Shape(3), manager);
            List<Parameter> parameters = List.of(weight, bias);
            LearningRateSchedule schedule =
                    new LearningRateSchedule(
                            Scheduler.COSINE,
                            f.get("peak_lr").asDouble(),
                            f.get("warmup").asLong(),
                            f.get("total").asLong());
            try (AdamW adamW =
                    AdamW.withDefaults(
                            java.util.Map.of("weight", weight, "bias", bias),
                            f.get("weight_decay").asDouble(),
                            manager)) {
                for (int t = 0; t < f.get("steps").size(); t++) {
                    JsonNode expected = f.get("steps").get(t);
                    JsonNode grads = f.get("grads").get(t);
                    setGradients(
                            weight,
                            floats(grads.get("weight")),
                            bias,
                            floats(grads.get("bias")),
                            manager);

                    double norm = GradientClipping.clip(parameters, f.get("max_norm").asDouble());
                    double lr = schedule.rate(t);
                    adamW.step(lr);

                    assertThat(lr)
                            .as("lr at step %d", t)
                            .isCloseTo(expected.get("lr").asDouble(), within(1e-12));
                    assertThat(norm)
                            .as("grad norm at step %d", t)
                            .isCloseTo(expected.get("grad_norm").asDouble(), within(1e-4));
                    assertClose(
                            weight.getArray().toFloatArray(),
                            floats(expected.get("weight")),
                            "weight at step " + t);
                    assertClose(
                            bias.getArray().toFloatArray(),
                            floats(expected.get("bias")),
                            "bias at step " + t);
                }
                assertThat(adamW.steps()).isEqualTo(f.get("steps").size());
            }
        }
    }

    @Test
    void schedulesMatchTransformers() throws IOException {
        JsonNode f = fixture();
        for (Scheduler kind : Scheduler.values()) {
            JsonNode expected = f.get("schedules").get(kind.name().toLowerCase());
            LearningRateSchedule schedule =
                    new LearningRateSchedule(
                            kind,
                            f.get("peak_lr").asDouble(),
                            f.get("warmup").asLong(),
                            f.get("total").asLong());
            for (int t = 0; t < expected.size(); t++) {
                assertThat(schedule.rate(t))
                        .as("%s at %d", kind, t)
                        .isCloseTo(expected.get(t).asDouble(), within(1e-12));
            }
        }
        assertThat(LearningRateSchedule.warmupSteps(null, "0.03", 1000)).isEqualTo(30);
        assertThat(LearningRateSchedule.warmupSteps(null, "0.03", 10)).isEqualTo(1);
    }

    /** Gradients are made by autograd, as in training: d(sum(w * g))/dw = g. */
    private static void setGradients(
            Parameter weight, float[] gw, Parameter bias, float[] gb, NDManager manager) {
        try (NDManager step = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.zeroGradients();
            NDArray lossW = weight.getArray().mul(step.create(gw, new Shape(4, 3))).sum();
            NDArray lossB = bias.getArray().mul(step.create(gb, new Shape(3))).sum();
            collector.backward(lossW.add(lossB));
        }
    }

    private static Parameter parameter(
            String name, float[] values, Shape shape, NDManager manager) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values, shape);
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i])
                    .as("%s [%d]", what, i)
                    .isCloseTo(expected[i], within(TOLERANCE));
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static JsonNode fixture() throws IOException {
        try (InputStream in = AdamWTest.class.getResourceAsStream("/optim/adamw.json")) {
            return new ObjectMapper().readTree(in);
        }
    }
}
