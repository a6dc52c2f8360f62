package io.kubetune.trainer.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What timed training steps measured.
 *
 * @param seconds each timed step
 * @param tokens tokens a step reads (what tokens/s counts, as transformers' benchmarks do)
 * @param labelled tokens whose next token counts in the loss
 * @param flops the work a step must do ({@link StepWork})
 * @param matmulFlops this machine's measured matmul rate, FLOP/s
 * @param peakRssBytes peak resident set of the process
 */
public record StepReport(
        double[] seconds,
        long tokens,
        long labelled,
        double flops,
        double matmulFlops,
        long peakRssBytes) {

    /** Returns the median step time. */
    public double medianSeconds() {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Returns tokens per second at the median step. */
    public double tokensPerSecond() {
        return tokens / medianSeconds();
    }

    /** Returns the report printed by {@code kubetune bench --task}. */
    public String report(String task, ModelShape shape) {
        double rate = flops / medianSeconds();
        return String.format(
                Locale.ROOT,
                "task             %s%n"
                        + "model            %s: %d layers, hidden %d, heads %d, kv heads %d,"
                        + " intermediate %d, vocab %d%n"
                        + "step             median %.3f s of %d (%s), %.0f tokens/s, %d labelled%n"
                        + "work             %.1f GFLOP a step must do: %.1f GFLOP/s, %.0f%% of"
                        + " this machine's matmul rate (%.1f GFLOP/s measured)%n"
                        + "peak memory      RSS %.0f MiB (VmHWM)%n",
                task,
                shape.arch(),
                shape.layers(),
                shape.hidden(),
                shape.heads(),
                shape.kvHeads(),
                shape.intermediate(),
                shape.vocab(),
                medianSeconds(),
                seconds.length,
                steps(),
                tokensPerSecond(),
                labelled,
                flops / 1e9,
                rate / 1e9,
                100 * rate / matmulFlops,
                matmulFlops / 1e9,
                peakRssBytes / 1048576.0);
    }

    private String steps() {
        StringBuilder out = new StringBuilder();
        for (double s : seconds) {
            out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", s));
        }
        return out.toString();
    }
}
