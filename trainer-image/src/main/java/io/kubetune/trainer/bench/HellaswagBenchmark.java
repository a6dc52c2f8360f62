package io.kubetune.trainer.bench;

import ai.djl.Device;
import io.kubetune.trainer.eval.EncodedRequest;
import io.kubetune.trainer.eval.PretrainedModelLogLikelihood;
import io.kubetune.trainer.eval.TokenEncoder;
import io.kubetune.trainer.eval.TokenEncoders;
import io.kubetune.trainer.eval.hellaswag.HellaswagItem;
import io.kubetune.trainer.eval.hellaswag.HellaswagPreprocessor;
import io.kubetune.trainer.eval.hellaswag.HellaswagReader;
import io.kubetune.trainer.eval.hellaswag.HellaswagScorer;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Hellaswag scoring speed, as {@code kubetune bench --task eval-hellaswag} runs it and {@code
 * tools/reference/bench_hellaswag.py} runs lm-eval's HFLM: the first {@code items} items of a
 * hellaswag file, tokenized and scored by the same path as {@code kubetune eval} (context run once
 * per item, its KV cache reused for the four endings), timed from the items to their scores (so
 * tokenization counts, as it does in lm-eval's time).
 */
public final class HellaswagBenchmark {

    private final Path modelDir;
    private final Path data;
    private final int items;
    private final int batchSize;
    private final Precision precision;
    private final Device device;
    private boolean profiling;
    private StepProfile profile;

    /**
     * @param modelDir a Hugging Face model directory: config, weights and tokenizer
     * @param data a hellaswag jsonl or Parquet file
     * @param items how many of its first items are scored per iteration
     * @param batchSize items per forward batch
     */
    public HellaswagBenchmark(
            Path modelDir,
            Path data,
            int items,
            int batchSize,
            Precision precision,
            Device device) {
        this.modelDir = modelDir;
        this.data = data;
        this.items = items;
        this.batchSize = batchSize;
        this.precision = precision;
        this.device = device;
    }

    /** After the timed passes, scores one batch of items under libtorch's profiler. */
    public HellaswagBenchmark profiling() {
        this.profiling = true;
        return this;
    }

    /** The profile of that batch, when {@link #profiling()} asked for one and it ran. */
    public java.util.Optional<StepProfile> profile() {
        return java.util.Optional.ofNullable(profile);
    }

    /** Scores the items {@code warmup} times untimed, then {@code iterations} times timed. */
    public Report run(int warmup, int iterations) throws IOException {
        List<HellaswagItem> chosen =
                HellaswagReader.read(data).limit(items).requireMostlyValid().items();
        try (PretrainedModel model = PretrainedModel.load(modelDir, device, precision);
                HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            TokenEncoder encoder = TokenEncoders.of(tokenizer);
            PretrainedModelLogLikelihood scorer = new PretrainedModelLogLikelihood(model);
            HellaswagScorer hellaswag = new HellaswagScorer(encoder, scorer, batchSize);
            long tokens = inputTokens(hellaswag, chosen, scorer.maxLength());
            double[] seconds = new double[iterations];
            double acc = 0;
            for (int i = 0; i < warmup + iterations; i++) {
                long start = System.nanoTime();
                acc = hellaswag.score(chosen).acc().mean();
                if (i >= warmup) {
                    seconds[i - warmup] = (System.nanoTime() - start) / 1e9;
                }
            }
            if (profiling) {
                List<HellaswagItem> batch = chosen.subList(0, Math.min(batchSize, chosen.size()));
                profile =
                        new StepProfiler(
                                        model.config().getInt("vocab_size"),
                                        feedForwardWidth(model))
                                .profile(device.isGpu(), () -> hellaswag.score(batch));
            }
            return new Report(
                    chosen.size(), seconds, tokens, acc, MemoryStats.peakRssBytes(), precision);
        }
    }

    // GPT-2 configs name it n_inner (null: 4 x n_embd), Llama-like ones intermediate_size.
    private static int feedForwardWidth(PretrainedModel model) {
        var c = model.config();
        return c.has("intermediate_size")
                ? c.getInt("intermediate_size")
                : c.optInt("n_inner", 4 * c.optInt("n_embd", 0));
    }

    // lm-eval's input tokens: context + ending but its last token, per ending, within the window.
    private static long inputTokens(
            HellaswagScorer scorer, List<HellaswagItem> items, int maxLength) {
        long total = 0;
        for (HellaswagItem item : items) {
            for (EncodedRequest r : scorer.encode(HellaswagPreprocessor.toDoc(item))) {
                total += Math.min(maxLength, r.context().length + r.continuation().length - 1);
            }
        }
        return total;
    }

    /**
     * What one benchmark measured.
     *
     * @param items items per iteration
     * @param seconds each timed iteration
     * @param inputTokens lm-eval's input tokens per iteration (every ending reruns its context)
     * @param acc the accuracy (a check that real scoring ran)
     * @param peakRssBytes the process's peak resident set
     */
    public record Report(
            int items,
            double[] seconds,
            long inputTokens,
            double acc,
            long peakRssBytes,
            Precision precision) {

        /** The median iteration time. */
        public double medianSeconds() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1
                    ? s[s.length / 2]
                    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        /** The line {@code tools/bench/eval-hellaswag.sh} reads. */
        public String report(String threads) {
            double median = medianSeconds();
            return String.format(
                    Locale.ROOT,
                    "kubetune eval-hellaswag: %d items, median %.3f s of %d, %.1f items/s,"
                            + " %.0f tokens/s (lm-eval's input tokens), acc %.4f, %s, %s threads,"
                            + " peak RSS %.0f MiB%n",
                    items,
                    median,
                    seconds.length,
                    items / median,
                    inputTokens / median,
                    acc,
                    precision,
                    threads,
                    peakRssBytes / 1048576.0);
        }
    }
}
