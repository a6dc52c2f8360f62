package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rerunning each layer's forward in the backward (activation checkpointing) gives the loss and
 * every parameter's gradient of the ordinary backward, embeddings included.
 */
class GradientCheckpointingTest {
    private static final int X = TokenizedSample.IGNORE;
    private static final double RELATIVE = 1e-5;
    private static final Batch BATCH =
            new Batch(
                    new int[][] {{5, 17, 300, 42, 101, 7, 3}, {9, 11, 13, 15, 0, 0, 0}},
                    new int[][] {{X, X, X, 42, 101, 7, 3}, {X, X, 13, 15, X, X, X}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}},
                    new int[][] {{0, 1, 2, 3, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}},
                    new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}});

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2", "qwen2"})
    void checkpointedGradientsEqualTheOrdinaryOnes(String name) throws Exception {
        Path dir = Path.of("src/test/resources/fixtures/models", name);
        try (PretrainedModel model = PretrainedModel.load(dir, Device.cpu(), Precision.FP32)) {
            Map<String, float[]> plain = gradients(model);
            model.block().layerBackward().setCheckpointing(true);
            Map<String, float[]> checkpointed = gradients(model);
            assertThat(checkpointed.keySet()).isEqualTo(plain.keySet());
            double global = 0;
            for (float[] g : plain.values()) {
                global = Math.max(global, maxAbs(g));
            }
            assertThat(global).isPositive();
            for (String parameter : plain.keySet()) {
                float[] a = plain.get(parameter);
                float[] b = checkpointed.get(parameter);
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                // A gradient that is zero but for rounding (GPT-2's key bias) is compared to the
                // largest one.
                double scale = Math.max(maxAbs(a), 1e-3 * global);
                assertThat(diff / scale)
                        .as("relative gradient difference of %s", parameter)
                        .isLessThanOrEqualTo(RELATIVE);
            }
            assertThat(checkpointed.get(model.block().getParameters().get(0).getKey()))
                    .as("the embeddings' gradient arrives through the checkpointed layers")
                    .containsAnyOf(plain.get(model.block().getParameters().get(0).getKey()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void frozenEmbeddingsEndTheCheckpointedBackwardQuietly(String name) throws Exception {
        Path dir = Path.of("src/test/resources/fixtures/models", name);
        try (PretrainedModel model = PretrainedModel.load(dir, Device.cpu(), Precision.FP32)) {
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getKey().contains("embed_tokens") || p.getKey().contains("positions")) {
                    p.getValue().freeze(true);
                }
            }
            Map<String, float[]> plain = gradients(model);
            model.block().layerBackward().setCheckpointing(true);
            Map<String, float[]> checkpointed = gradients(model);
            String last = plain.keySet().stream().reduce((a, b) -> b).orElseThrow();
            assertThat(checkpointed.get(last)).containsExactly(plain.get(last), within(1e-6f));
        }
    }

    /**
     * A quantized base's linears dequantize again in the backward instead of keeping the weight
     * (training without checkpointing); the adapters' gradients equal those of autograd's own
     * backward, which the checkpointed rerun uses.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void quantizedLinearsDequantizingInTheBackwardGiveAutogradsGradients(String name)
            throws Exception {
        Path dir = Path.of("src/test/resources/fixtures/models", name);
        io.kubetune.api.v1alpha1.MethodSpec method = new io.kubetune.api.v1alpha1.MethodSpec();
        method.quantization = io.kubetune.api.v1alpha1.Quantization.NF4;
        method.lora = new io.kubetune.api.v1alpha1.LoraSpec();
        method.lora.dropout = "0";
        method.lora.targetModules = java.util.List.of("all-linear");
        try (PretrainedModel model =
                PretrainedModel.load(
                        dir,
                        Device.cpu(),
                        Precision.FP32,
                        Heads.LM,
                        io.kubetune.trainer.model.weights.Quantizer.of(method).orElseThrow())) {
            Map<String, Parameter> trainable =
                    new io.kubetune.trainer.peft.LoraMethod()
                            .inject(
                                    model.block(),
                                    method,
                                    ai.djl.ndarray.types.DataType.FLOAT32,
                                    model.manager())
                            .trainable();
            // B starts at zero: give it values so that A's gradient is not zero either.
            for (Map.Entry<String, Parameter> p : trainable.entrySet()) {
                if (p.getKey().contains("lora_B")) {
                    var b = p.getValue().getArray();
                    b.set(
                            new ai.djl.ndarray.index.NDIndex("..."),
                            b.getManager().randomNormal(0f, 0.1f, b.getShape(), b.getDataType()));
                }
            }
            Map<String, float[]> deferred = gradients(model, trainable);
            model.block().layerBackward().setCheckpointing(true);
            Map<String, float[]> autograd = gradients(model, trainable);
            assertThat(deferred).isNotEmpty();
            assertThat(deferred.keySet()).isEqualTo(autograd.keySet());
            for (String parameter : deferred.keySet()) {
                float[] a = autograd.get(parameter);
                float[] b = deferred.get(parameter);
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                assertThat(maxAbs(a)).as(parameter).isPositive();
                assertThat(diff / maxAbs(a))
                        .as("relative gradient difference of %s", parameter)
                        .isLessThanOrEqualTo(RELATIVE);
            }
        }
    }

    private static Map<String, float[]> gradients(
            PretrainedModel model, Map<String, Parameter> trainable) {
        Gradients.zero(trainable.values());
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = model.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                BatchLoss loss = new CausalLmObjective().compute(model, BATCH, scope, true);
                assertThat(model.block().layerBackward().layerScopedPending())
                        .as("the quantized linears wait for their own backward")
                        .isEqualTo(!model.block().layerBackward().checkpointing());
                model.block().layerBackward().backward(collector, loss.sum());
            }
            for (Map.Entry<String, Parameter> p : trainable.entrySet()) {
                out.put(p.getKey(), Gradients.handle(p.getValue(), scope).toFloatArray());
            }
        }
        Gradients.zero(trainable.values());
        return out;
    }

    private static Map<String, float[]> gradients(PretrainedModel model) {
        Gradients.zero(model.block());
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = model.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                BatchLoss loss = new CausalLmObjective().compute(model, BATCH, scope, true);
                model.block().layerBackward().backward(collector, loss.sum());
            }
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    out.put(p.getKey(), Gradients.handle(p.getValue(), scope).toFloatArray());
                }
            }
        }
        Gradients.zero(model.block());
        return out;
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
