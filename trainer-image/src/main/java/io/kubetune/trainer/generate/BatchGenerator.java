package io.kubetune.trainer.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;
import java.util.Arrays;
import java.util.List;

/**
 * Sampling for training (GRPO, PPO rollouts): many rows at once with the KV cache. Prompts of
 * different lengths are left-padded and each row counts its positions from its first real token, as
 * transformers' {@code generate} does; every prompt is run once and its cache copied to its {@code
 * copies} rows. Temperature, top-k and top-p are applied and tokens drawn on the logits' device:
 * only the chosen ids and their log-probs come back to Java each step. A row stops on its first
 * EOS; the batch stops when all rows have, or after {@code maxNewTokens}.
 */
public final class BatchGenerator {

    private final PretrainedModel model;

    public BatchGenerator(PretrainedModel model) {
        this.model = model;
    }

    /**
     * Samples {@code copies} completions of each prompt, rows in prompt order ({@code copies}
     * consecutive rows per prompt, as TRL's RepeatSampler orders them).
     *
     * @param prompts each prompt's token ids (at least one token each)
     * @param copies how many completions per prompt
     * @param config max new tokens, greedy or sampled, temperature, top-k, top-p, seed, EOS ids
     *     (repetition penalty and stop strings are for chat generation and are refused here)
     */
    public Completions generate(List<long[]> prompts, int copies, GenerationConfig config) {
        if (config.repetitionPenalty() != 1.0 || !config.stopStrings().isEmpty()) {
            throw new IllegalArgumentException(
                    "batched sampling has no repetition penalty or stop strings");
        }
        if (config.doSample()) {
            Engine.getInstance().setRandomSeed((int) config.seed());
        }
        Rows rows = new Rows(prompts, copies, config.maxNewTokens());
        ParameterStore ps = model.parameterStore();
        try (NDManager run = model.manager().newSubManager();
                KvCache cache = new KvCache(run, model.block().numLayers())) {
            NDArray logits = prefill(ps, prompts, rows, cache, run);
            KvCache rowCache = copies == 1 ? cache : cache.selectRows(run, rows.promptOfRow());
            try {
                for (int t = 0; t < config.maxNewTokens() && !rows.allDone(); t++) {
                    try (NDManager step = run.newSubManager()) {
                        // An op's result belongs to its first operand's manager: owned by the
                        // step, the logits and all that is computed from them are freed with it.
                        logits.attach(step);
                        long[] chosen = choose(logits, config, rows, t);
                        if (rows.allDone() || t + 1 == config.maxNewTokens()) {
                            break;
                        }
                        NDArray next = decode(ps, chosen, rows, t, rowCache, step);
                        next.attach(run);
                        logits = next;
                    }
                }
            } finally {
                if (rowCache != cache) {
                    rowCache.close();
                }
            }
        }
        return rows.completions();
    }

    // Runs every prompt once, left-padded; returns each row's next-token logits [rows, vocab].
    private NDArray prefill(
            ParameterStore ps, List<long[]> prompts, Rows rows, KvCache cache, NDManager run) {
        try (NDManager step = run.newSubManager()) {
            int width = rows.width;
            long[] ids = new long[prompts.size() * width];
            for (int p = 0; p < prompts.size(); p++) {
                long[] prompt = prompts.get(p);
                System.arraycopy(prompt, 0, ids, p * width + width - prompt.length, prompt.length);
            }
            NDArray pad = step.create(rows.padOfPrompt()).reshape(prompts.size(), 1);
            NDArray input = step.create(ids, new Shape(prompts.size(), width));
            NDArray logits = lastLogits(ps, input, pad, 0, cache, step);
            NDArray perRow = logits.get(step.create(rows.promptOfRow()));
            perRow.attach(run);
            return perRow;
        }
    }

    // Feeds each row's chosen token; returns the next-token logits [rows, vocab].
    private NDArray decode(
            ParameterStore ps, long[] chosen, Rows rows, int t, KvCache cache, NDManager step) {
        NDArray input = step.create(chosen, new Shape(chosen.length, 1));
        NDArray pad = step.create(rows.padOfRow()).reshape(chosen.length, 1);
        return lastLogits(ps, input, pad, rows.width + t, cache, step);
    }

    /**
     * One cached pass: positions count from each row's first real token, padding is masked.
     *
     * @param past how many positions the cache holds
     */
    private NDArray lastLogits(
            ParameterStore ps,
            NDArray input,
            NDArray pad,
            long past,
            KvCache cache,
            NDManager step) {
        long seq = input.getShape().get(1);
        NDArray all = step.arange(0, (int) (past + seq), 1, DataType.INT64).expandDims(0);
        NDArray mask = all.gte(pad).toType(DataType.INT64, false);
        NDArray positions = all.get(":, " + past + ":").sub(pad).maximum(0);
        ModelInput in = new ModelInput(input, mask, positions, cache);
        ModelOutput out = model.block().forward(ps, in, false);
        NDArray last = out.hidden().get(":, -1, :");
        return out.logitsOf(last).toType(DataType.FLOAT32, false);
    }

    // Picks every row's next token and records it with its log-prob for the rows still running.
    private static long[] choose(NDArray logits, GenerationConfig config, Rows rows, int t) {
        NDArray scaled = LogitsProcessor.temperature(logits, config.temperature());
        NDArray chosen =
                config.doSample()
                        ? Sampling.sample(
                                LogitsProcessor.topP(
                                        LogitsProcessor.topK(scaled, config.topK()), config.topP()))
                        : Sampling.argmax(logits);
        NDArray logProbs = scaled.logSoftmax(1).gather(chosen.expandDims(1), 1);
        long[] ids = chosen.toLongArray();
        rows.record(t, ids, logProbs.toFloatArray(), config);
        return ids;
    }

    /** The rows' bookkeeping in Java: padding, tokens so far, which rows are done. */
    private static final class Rows {
        final int width;
        private final long[] padOfPrompt;
        private final long[] promptOfRow;
        private final long[][] tokens;
        private final float[][] logProbs;
        private final int[] length;
        private final boolean[] eos;
        private int running;

        Rows(List<long[]> prompts, int copies, int maxNewTokens) {
            width = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
            if (prompts.stream().anyMatch(p -> p.length == 0)) {
                throw new IllegalArgumentException("every prompt needs at least one token");
            }
            padOfPrompt = prompts.stream().mapToLong(p -> width - p.length).toArray();
            int n = prompts.size() * copies;
            promptOfRow = new long[n];
            for (int r = 0; r < n; r++) {
                promptOfRow[r] = r / copies;
            }
            tokens = new long[n][maxNewTokens];
            logProbs = new float[n][maxNewTokens];
            length = new int[n];
            eos = new boolean[n];
            running = n;
        }

        long[] padOfPrompt() {
            return padOfPrompt;
        }

        long[] promptOfRow() {
            return promptOfRow;
        }

        long[] padOfRow() {
            long[] out = new long[promptOfRow.length];
            for (int r = 0; r < out.length; r++) {
                out[r] = padOfPrompt[(int) promptOfRow[r]];
            }
            return out;
        }

        void record(int t, long[] ids, float[] logps, GenerationConfig config) {
            for (int r = 0; r < ids.length; r++) {
                if (length[r] != t || eos[r]) {
                    continue;
                }
                tokens[r][t] = ids[r];
                logProbs[r][t] = logps[r];
                length[r] = t + 1;
                if (config.eosTokenIds().contains(ids[r])) {
                    eos[r] = true;
                    running--;
                }
            }
        }

        boolean allDone() {
            return running == 0;
        }

        Completions completions() {
            long[][] outTokens = new long[tokens.length][];
            float[][] outLogps = new float[tokens.length][];
            for (int r = 0; r < tokens.length; r++) {
                outTokens[r] = Arrays.copyOf(tokens[r], length[r]);
                outLogps[r] = Arrays.copyOf(logProbs[r], length[r]);
            }
            return new Completions(outTokens, outLogps, eos.clone());
        }
    }
}
