package io.kubetune.trainer.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.kubetune.trainer.loss.CausalLmLoss;
import io.kubetune.trainer.model.Gradients;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;

/**
 * Times forward and forward+backward passes of a random model on random token ids, each step in its
 * own sub-manager as training does.
 */
public final class Benchmark {

    private final ModelShape shape;
    private final int batch;
    private final int seqLength;
    private final Precision precision;
    private final Device device;

    /**
     * Creates a benchmark.
     *
     * @param shape model size
     * @param batch sequences per step
     * @param seqLength tokens per sequence
     * @param precision compute precision
     * @param device compute device
     */
    public Benchmark(
            ModelShape shape, int batch, int seqLength, Precision precision, Device device) {
        this.shape = shape;
        this.batch = batch;
        this.seqLength = seqLength;
        this.precision = precision;
        this.device = device;
    }

    /**
     * Runs the benchmark.
     *
     * @param warmup untimed iterations of each kind first
     * @param iterations timed iterations of each kind
     * @return the measurements
     */
    public BenchResult run(int warmup, int iterations) {
        try (PretrainedModel model = PretrainedModel.random(shape.toConfig(), device, precision)) {
            for (int i = 0; i < warmup; i++) {
                forward(model);
                step(model);
            }
            double forward = 0;
            double step = 0;
            for (int i = 0; i < iterations; i++) {
                forward += forward(model);
                step += step(model);
            }
            String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
            return new BenchResult(
                    shape,
                    countParameters(model),
                    batch,
                    seqLength,
                    precision.toString(),
                    device.toString(),
                    threads,
                    forward / iterations,
                    step / iterations,
                    MemoryStats.peakRssBytes(),
                    MemoryStats.peakHeapBytes());
        }
    }

    private double forward(PretrainedModel model) {
        try (NDManager stepManager = model.manager().newSubManager()) {
            NDArray ids = randomIds(stepManager);
            long start = System.nanoTime();
            NDArray logits =
                    model.block().logits(model.parameterStore(), ModelInput.of(ids), false);
            // Reading one value waits for the device to finish.
            logits.get(0, 0, 0).toType(DataType.FLOAT32, false).getFloat();
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private double step(PretrainedModel model) {
        try (NDManager stepManager = model.manager().newSubManager()) {
            NDArray ids = randomIds(stepManager);
            ParameterStore ps = model.parameterStore();
            long start = System.nanoTime();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.block().logits(ps, ModelInput.of(ids), true);
                NDArray loss = CausalLmLoss.mean(logits, ids);
                model.block().layerBackward().backward(collector, loss);
                loss.getFloat();
            }
            Gradients.zero(model.block());
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private NDArray randomIds(NDManager manager) {
        return manager.randomInteger(0, shape.vocab(), new Shape(batch, seqLength), DataType.INT64);
    }

    private static long countParameters(PretrainedModel model) {
        long total = 0;
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            total += p.getValue().getArray().size();
        }
        return total;
    }
}
