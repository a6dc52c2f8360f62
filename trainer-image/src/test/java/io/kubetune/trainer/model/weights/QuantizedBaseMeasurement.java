package io.kubetune.trainer.model.weights;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.Quantization;
import io.kubetune.trainer.bench.ModelShape;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.peft.LoraMethod;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The numbers in the README's memory table: resident base-weight bytes of a TinyLlama-1.1B-shaped
 * model held fp32, int8 and nf4, and a LoRA step's tokens/s on a dense vs a quantized base. Slow
 * and memory-hungry, so only on {@code -Dkubetune.measure=true}; it prints, it does not assert.
 */
@EnabledIfSystemProperty(named = "kubetune.measure", matches = "true")
class QuantizedBaseMeasurement {

    @Test
    void residentBaseWeightsOfA1bLlama() {
        // TinyLlama-1.1B: 22 layers, width 2048, 32 heads / 4 KV heads, MLP 5632, vocab 32000.
        int hidden = 2048, kv = 256, mlp = 5632, layers = 22, vocab = 32000;
        List<long[]> linears =
                List.of(
                        new long[] {hidden, hidden},
                        new long[] {kv, hidden},
                        new long[] {kv, hidden},
                        new long[] {hidden, hidden},
                        new long[] {mlp, hidden},
                        new long[] {mlp, hidden},
                        new long[] {hidden, mlp});
        long params = 0, int8 = 0, nf4 = 0, nf4Double = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (long[] shape : linears) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray w = scope.randomNormal(0f, 0.02f, new Shape(shape), DataType.FLOAT32);
                    params += w.size();
                    for (Quantization q : List.of(Quantization.INT8, Quantization.NF4)) {
                        for (Boolean dq :
                                q == Quantization.NF4
                                        ? List.of(false, true)
                                        : java.util.Arrays.asList((Boolean) null)) {
                            MethodSpec m = new MethodSpec();
                            m.quantization = q;
                            m.doubleQuant = dq;
                            try (LinearWeight held =
                                    Quantizer.of(m).orElseThrow().quantize(w, scope)) {
                                long bytes = held.residentBytes();
                                if (q == Quantization.INT8) {
                                    int8 += bytes;
                                } else if (dq) {
                                    nf4Double += bytes;
                                } else {
                                    nf4 += bytes;
                                }
                            }
                        }
                    }
                }
            }
        }
        long unquantized = 4L * (2L * vocab * hidden + (2L * layers + 1) * hidden);
        System.out.printf(
                Locale.ROOT,
                "1.1B llama: linear weights %.3f B params; resident linear weights fp32 %.1f MiB,"
                        + " int8 %.1f MiB, nf4 %.1f MiB, nf4+doubleQuant %.1f MiB (%.3f bits/weight);"
                        + " embeddings + lm_head + norms stay fp32: %.1f MiB%n",
                layers * params / 1e9,
                layers * params * 4 / 1048576.0,
                layers * int8 / 1048576.0,
                layers * nf4 / 1048576.0,
                layers * nf4Double / 1048576.0,
                8.0 * nf4Double / params,
                unquantized / 1048576.0);
    }

    @Test
    void loraStepTokensPerSecondDenseVsQuantizedBase() {
        ModelShape shape = ModelShape.preset("llama", "llama-100m");
        int batch = 4, seq = 128;
        for (Quantization q : List.of(Quantization.NONE, Quantization.INT8, Quantization.NF4)) {
            MethodSpec method = new MethodSpec();
            method.quantization = q;
            try (PretrainedModel model =
                    PretrainedModel.random(shape.toConfig(), Device.cpu(), Precision.FP32)) {
                Quantizer.of(method).ifPresent(quantizer -> quantize(model, quantizer));
                new LoraMethod().inject(model.block(), method, DataType.FLOAT32, model.manager());
                double seconds = 0;
                for (int i = 0; i < 4; i++) {
                    double s = step(model, shape, batch, seq);
                    seconds += i == 0 ? 0 : s; // the first step warms up
                }
                System.out.printf(
                        Locale.ROOT,
                        "llama-100m LoRA r=8 all-linear, base %s: %.0f tokens/s (batch %d x %d)%n",
                        q,
                        3 * batch * seq / seconds,
                        batch,
                        seq);
            }
        }
    }

    /**
     * Peak RSS of a process that loads a llama-100m checkpoint with the base held as {@code
     * -Dkubetune.measure.base} (none, int8, nf4; {@code write} first writes the random checkpoint
     * to target/llama-100m) and takes 3 LoRA steps: one JVM per base, since the peak is per
     * process.
     */
    @Test
    @EnabledIfSystemProperty(named = "kubetune.measure.base", matches = ".+")
    void peakMemoryOfLoraTrainingPerBase() throws java.io.IOException {
        java.nio.file.Path checkpoint = java.nio.file.Path.of("target/llama-100m");
        ModelShape shape = ModelShape.preset("llama", "llama-100m");
        String base = System.getProperty("kubetune.measure.base");
        if (base.equals("write")) {
            try (PretrainedModel model =
                    PretrainedModel.random(shape.toConfig(), Device.cpu(), Precision.FP32)) {
                io.kubetune.trainer.model.io.HfModelWriter.write(
                        checkpoint,
                        model,
                        java.nio.file.Path.of("src/test/resources/fixtures/models/llama"),
                        DataType.FLOAT32);
            }
            return;
        }
        MethodSpec method = new MethodSpec();
        method.quantization = Quantization.valueOf(base.toUpperCase(Locale.ROOT));
        try (PretrainedModel model =
                PretrainedModel.load(
                        checkpoint,
                        Device.cpu(),
                        Precision.FP32,
                        io.kubetune.trainer.model.Heads.LM,
                        Quantizer.of(method).orElse(null))) {
            long loaded = io.kubetune.trainer.bench.MemoryStats.peakRssBytes();
            new LoraMethod().inject(model.block(), method, DataType.FLOAT32, model.manager());
            boolean checkpointing = Boolean.getBoolean("kubetune.measure.checkpointing");
            model.block().layerBackward().setCheckpointing(checkpointing);
            double later = 0;
            for (int i = 0; i < 3; i++) {
                double s = step(model, shape, 4, 128);
                later += i == 0 ? 0 : s; // the first step warms up
            }
            System.out.printf(
                    Locale.ROOT,
                    "llama-100m base %s%s: peak RSS after loading %.0f MiB, after 3 LoRA steps"
                            + " (batch 4 x 128) %.0f MiB; steps 2-3 %.2f s each%n",
                    base,
                    checkpointing ? " with gradient checkpointing" : "",
                    loaded / 1048576.0,
                    io.kubetune.trainer.bench.MemoryStats.peakRssBytes() / 1048576.0,
                    later / 2);
        }
    }

    /**
     * The peak above its start of one LoRA step (q,v adapters, batch 4 x 128) on a random
     * llama-100m, per base, as {@link QuantizedBaseStepMemoryTest} measures it (allocator cache out
     * of the way, high-water mark reset before the step).
     */
    @Test
    void stepPeakOfLoraTrainingPerBase() throws java.io.IOException {
        QuantizedBaseStepMemoryTest.mapEveryTensorOnItsOwn();
        ModelShape shape = ModelShape.preset("llama", "llama-100m");
        for (Quantization q : List.of(Quantization.NONE, Quantization.INT8, Quantization.NF4)) {
            long peak = QuantizedBaseStepMemoryTest.stepPeak(shape, 4, 128, q);
            System.out.printf(
                    Locale.ROOT,
                    "llama-100m LoRA step peak above its start, base %s: %.0f MiB%n",
                    q,
                    peak / 1048576.0);
        }
    }

    private static void quantize(PretrainedModel model, Quantizer quantizer) {
        for (LinearLayer layer : model.block().layerLinears()) {
            LinearWeight held = quantizer.quantize(layer.weight().getArray(), model.manager());
            layer.holdQuantized(held);
            layer.weight().close();
        }
    }

    private static double step(PretrainedModel model, ModelShape shape, int batch, int seq) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray ids =
                    scope.randomInteger(0, shape.vocab(), new Shape(batch, seq), DataType.INT64);
            long start = System.nanoTime();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        model.block().logits(model.parameterStore(), ModelInput.of(ids), true);
                NDArray loss = CausalLmLoss.mean(logits, ids);
                model.block().layerBackward().backward(collector, loss);
                loss.getFloat();
            }
            Gradients.zero(model.block());
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
