package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.bench.MemoryStats;
import io.kubetune.trainer.bench.ModelShape;
import io.kubetune.trainer.loss.CausalLmLoss;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Forward+backward steps must leave the engine's memory flat: every array a step makes lives in
 * that step's sub-manager, so the managers that outlive steps hold as many arrays after warm-up
 * (and at the end) as at step 10; and the process's native memory stops growing once warm.
 */
class NativeMemoryFlatTest {

    private static final int WARM_UP_STEPS = 500;

    private static final int STEPS = 1500;

    /**
     * Native memory rises for a few hundred steps while malloc's arenas settle: measured here, one
     * arena grew 10-16 MB somewhere between step 200 and 300 (/proc/self/smaps), then stayed within
     * 0.2 MB from step 300 to 2000. So the window starts at step 500, and over 1,000 steps the
     * bound catches any leak above 8 KB a step (one step's activations are far larger).
     */
    private static final long MAX_RSS_GROWTH_AFTER_WARMUP = 8L << 20;

    @Test
    void forwardBackwardStepsKeepArrayCountsAndRssFlat() {
        // Llama exercises every op GPT-2 uses but GELU, plus RoPE, RMSNorm and GQA.
        ModelShape shape = ModelShape.preset("llama", "tiny");
        try (PretrainedModel model =
                PretrainedModel.random(shape.toConfig(), Device.cpu(), Precision.FP32)) {
            long[] atStep10 = null;
            long[] atWarmUp = null;
            long rssAtWarmUp = 0;
            for (int step = 1; step <= STEPS; step++) {
                runStep(model, shape, step);
                if (step % 25 == 0) {
                    System.gc();
                }
                if (step == 10) {
                    atStep10 = counts(model);
                } else if (step == WARM_UP_STEPS) {
                    atWarmUp = counts(model);
                    rssAtWarmUp = residentBytes();
                }
            }
            long[] atEnd = counts(model);
            long rssGrowth = residentBytes() - rssAtWarmUp;
            System.out.printf(
                    "arrays (model, all) at step 10 %s, %d %s, %d %s; native growth %d->%d %d"
                            + " KiB%n",
                    Arrays.toString(atStep10),
                    WARM_UP_STEPS,
                    Arrays.toString(atWarmUp),
                    STEPS,
                    Arrays.toString(atEnd),
                    WARM_UP_STEPS,
                    STEPS,
                    rssGrowth / 1024);
            assertThat(atWarmUp).as("arrays after warm-up vs step 10").isEqualTo(atStep10);
            assertThat(atEnd).as("arrays at the last step vs step 10").isEqualTo(atStep10);
            assertThat(rssGrowth)
                    .as("native memory growth over %d steps after warm-up", STEPS - WARM_UP_STEPS)
                    .isLessThan(MAX_RSS_GROWTH_AFTER_WARMUP);
        }
    }

    private static void runStep(PretrainedModel model, ModelShape shape, int step) {
        try (NDManager stepManager = model.manager().newSubManager()) {
            NDArray ids =
                    stepManager.randomInteger(0, shape.vocab(), new Shape(2, 8), DataType.INT64);
            ParameterStore ps = model.parameterStore();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.block().logits(ps, ModelInput.of(ids), true);
                NDArray loss = CausalLmLoss.mean(logits, ids);
                collector.backward(loss);
                assertThat(loss.getFloat()).as("loss at step %d", step).isFinite();
            }
            Gradients.zero(model.block());
        }
    }

    // RSS less what the JVM itself has committed (heap, metaspace, code cache), read after a
    // collection: the rest is native memory. Other tests in the same JVM can make the heap grow
    // during this one, which RSS alone would count as a leak.
    private static long residentBytes() {
        System.gc();
        MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
        long committed =
                jvm.getHeapMemoryUsage().getCommitted()
                        + jvm.getNonHeapMemoryUsage().getCommitted();
        return MemoryStats.rssBytes() - committed;
    }

    private static long[] counts(PretrainedModel model) {
        NDManager root = model.manager();
        while (root.getParentManager() != null) {
            root = root.getParentManager();
        }
        // The root is the engine's system manager: its count covers every live manager.
        return new long[] {
            model.manager().getManagedArrays().size(), root.getManagedArrays().size()
        };
    }
}
