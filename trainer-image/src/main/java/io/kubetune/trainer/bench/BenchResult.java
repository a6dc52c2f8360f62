package io.kubetune.trainer.bench;

import java.util.Locale;

/**
 * What a benchmark measured; times are the mean of the timed iterations.
 *
 * @param shape the model's size
 * @param parameters number of parameters
 * @param batch sequences per step
 * @param seqLength tokens per sequence
 * @param precision compute precision
 * @param device compute device
 * @param threads libtorch intra-op threads
 * @param forwardSeconds one forward pass (no gradients)
 * @param stepSeconds one forward + backward pass
 * @param peakRssBytes peak resident set of the process
 * @param peakHeapBytes peak Java heap
 */
public record BenchResult(
        ModelShape shape,
        long parameters,
        int batch,
        int seqLength,
        String precision,
        String device,
        String threads,
        double forwardSeconds,
        double stepSeconds,
        long peakRssBytes,
        long peakHeapBytes) {

    /** Returns forward tokens per second. */
    public double forwardTokensPerSecond() {
        return batch * (double) seqLength / forwardSeconds;
    }

    /** Returns forward+backward tokens per second. */
    public double stepTokensPerSecond() {
        return batch * (double) seqLength / stepSeconds;
    }

    /** Returns the report printed by {@code kubetune bench}. */
    public String report() {
        return String.format(
                Locale.ROOT,
                "model            %s: %d layers, hidden %d, heads %d, kv heads %d,"
                        + " intermediate %d, vocab %d (%.1fM parameters)%n"
                        + "input            batch %d x seq %d = %d tokens, %s on %s, %s threads%n"
                        + "forward          %.3f s/step, %.0f tokens/s%n"
                        + "forward+backward %.3f s/step, %.0f tokens/s%n"
                        + "peak memory      RSS %.0f MiB (VmHWM), Java heap %.0f MiB%n",
                shape.arch(),
                shape.layers(),
                shape.hidden(),
                shape.heads(),
                shape.kvHeads(),
                shape.intermediate(),
                shape.vocab(),
                parameters / 1e6,
                batch,
                seqLength,
                batch * seqLength,
                precision,
                device,
                threads,
                forwardSeconds,
                forwardTokensPerSecond(),
                stepSeconds,
                stepTokensPerSecond(),
                peakRssBytes / 1048576.0,
                peakHeapBytes / 1048576.0);
    }
}
