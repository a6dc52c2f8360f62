package io.kubetune.trainer.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.generate.GenerationResult.StopReason;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.Arrays;
import java.util.Random;

/**
 * Autoregressive generation for one sequence. With a KV cache the prompt is run once and then only
 * each new token; without, the whole sequence is run every step (the two give the same tokens).
 * Every step's arrays live in a sub-manager closed at the end of the step.
 */
public final class Generator {

    private final PretrainedModel model;
    private final HfTokenizer tokenizer;

    /**
     * Creates a generator.
     *
     * @param model the model
     * @param tokenizer decodes text for stop strings and the result, or null for ids only
     */
    public Generator(PretrainedModel model, HfTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * Generates after a prompt.
     *
     * @param prompt the prompt's token ids
     * @param config how to choose tokens and when to stop
     * @return the new tokens
     */
    public GenerationResult generate(long[] prompt, GenerationConfig config) {
        if (!config.stopStrings().isEmpty() && tokenizer == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer to decode text");
        }
        long[] sequence = Arrays.copyOf(prompt, prompt.length + config.maxNewTokens());
        int length = prompt.length;
        Random random = new Random(config.seed());
        StopReason reason = StopReason.MAX_TOKENS;
        ParameterStore ps = model.parameterStore();
        try (KvCache cache =
                config.useCache()
                        ? new KvCache(model.manager(), model.block().numLayers())
                        : null) {
            int fed = 0;
            while (length - prompt.length < config.maxNewTokens()) {
                float[] logits = nextLogits(ps, sequence, fed, length, cache);
                fed = cache == null ? 0 : length;
                long next = choose(logits, Arrays.copyOf(sequence, length), config, random);
                sequence[length++] = next;
                if (config.eosTokenIds().contains(next)) {
                    reason = StopReason.EOS;
                    break;
                }
                if (hitsStopString(Arrays.copyOfRange(sequence, prompt.length, length), config)) {
                    reason = StopReason.STOP_STRING;
                    break;
                }
            }
        }
        long[] generated = Arrays.copyOfRange(sequence, prompt.length, length);
        String text = tokenizer == null ? null : tokenizer.decode(generated, false);
        return new GenerationResult(generated, text, reason);
    }

    // Runs positions [from, to) of the sequence and returns the last position's logits in F32.
    private float[] nextLogits(
            ParameterStore ps, long[] sequence, int from, int to, KvCache cache) {
        try (NDManager step = model.manager().newSubManager()) {
            long[] ids = Arrays.copyOfRange(sequence, from, to);
            NDArray input = step.create(ids, new Shape(1, ids.length));
            NDArray logits = model.block().logits(ps, ModelInput.of(input).withCache(cache), false);
            return logits.get(new NDIndex("0, -1")).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    private static long choose(
            float[] logits, long[] sequence, GenerationConfig config, Random random) {
        LogitsProcessor.repetitionPenalty(logits, sequence, config.repetitionPenalty());
        if (!config.doSample()) {
            return Sampling.argmax(logits);
        }
        LogitsProcessor.temperature(logits, config.temperature());
        LogitsProcessor.topK(logits, config.topK());
        LogitsProcessor.topP(logits, config.topP());
        return Sampling.sample(logits, random);
    }

    private boolean hitsStopString(long[] generated, GenerationConfig config) {
        if (config.stopStrings().isEmpty()) {
            return false;
        }
        String text = tokenizer.decode(generated, false);
        return config.stopStrings().stream().anyMatch(text::contains);
    }
}
