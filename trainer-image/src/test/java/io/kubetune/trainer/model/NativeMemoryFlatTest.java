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
 * that step's sub-manager, so the managers that outlive steps hold as many arrays at step 200 (and
 * 400) as at step 10; and the process's resident memory stops growing once warm.
 */
class NativeMemoryFlatTest {

    private static final int STEPS = 400;

    /**
     * RSS rises in a few steps while the JIT and malloc warm up (measured at stop 19: +30 MB by
     * step 200, then +0.7 MB from 200 to 400). With the heap fixed (its own fork, -Xms = -Xmx) this
     * machine shows 14-22 MB from 200 to 400 (about 70 KB a step, also with one malloc arena), at
     * today's code and at stop 19's alike, with the array counts flat: not explained yet, so the
     * bound only guards against a larger leak. Leaked arrays fail the counts whatever their size.
     */
    private static final long MAX_RSS_GROWTH_AFTER_WARMUP = 32L << 20;

    @Test
    void forwardBackwardStepsKeepArrayCountsAndRssFlat() {
        // Llama exercises every op GPT-2 uses but GELU, plus RoPE, RMSNorm and GQA.
        ModelShape shape = ModelShape.preset("llama", "tiny");
        try (PretrainedModel model =
                PretrainedModel.random(shape.toConfig(), Device.cpu(), Precision.FP32)) {
            long[] atStep10 = null;
            long[] atStep200 = null;
            long rssAtStep200 = 0;
            for (int step = 1; step <= STEPS; step++) {
                runStep(model, shape, step);
                if (step % 25 == 0) {
                    System.gc();
                }
                if (step == 10) {
                    atStep10 = counts(model);
                } else if (step == 200) {
                    atStep200 = counts(model);
                    rssAtStep200 = residentBytes();
                }
            }
            long[] atStep400 = counts(model);
            long rssGrowth = residentBytes() - rssAtStep200;
            System.out.printf(
                    "arrays (model, all) at step 10 %s, 200 %s, 400 %s; RSS growth 200->400 %d"
                            + " KiB%n",
                    Arrays.toString(atStep10),
                    Arrays.toString(atStep200),
                    Arrays.toString(atStep400),
                    rssGrowth / 1024);
            assertThat(atStep200).as("arrays at step 200 vs step 10").isEqualTo(atStep10);
            assertThat(atStep400).as("arrays at step 400 vs step 10").isEqualTo(atStep10);
            assertThat(rssGrowth)
                    .as("RSS growth from step 200 to 400")
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
