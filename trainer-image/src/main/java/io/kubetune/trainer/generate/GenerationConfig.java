package io.kubetune.trainer.generate;

import java.util.List;
import java.util.Set;

/**
 * How to generate, with transformers' meaning for each setting.
 *
 * @param maxNewTokens most tokens to add
 * @param doSample sample (true) or take the most likely token (false)
 * @param temperature divides the logits before sampling
 * @param topK keep the k most likely tokens before sampling, 0 for all
 * @param topP keep the smallest set of tokens whose probability reaches p, 1 for all
 * @param repetitionPenalty transformers' CTRL-style penalty on tokens already in the sequence, 1
 *     for none (applies to greedy decoding too)
 * @param seed seeds sampling, so the same seed gives the same text
 * @param eosTokenIds stop when one of these is generated (it is kept in the output)
 * @param stopStrings stop when the generated text contains one of these
 * @param useCache keep keys and values of earlier positions (faster; same tokens)
 */
public record GenerationConfig(
        int maxNewTokens,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        long seed,
        Set<Long> eosTokenIds,
        List<String> stopStrings,
        boolean useCache) {

    /** Returns a builder with transformers' defaults, greedy. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link GenerationConfig}. */
    public static final class Builder {
        private int maxNewTokens = 20;
        private boolean doSample;
        private double temperature = 1.0;
        private int topK = 50;
        private double topP = 1.0;
        private double repetitionPenalty = 1.0;
        private long seed;
        private Set<Long> eosTokenIds = Set.of();
        private List<String> stopStrings = List.of();
        private boolean useCache = true;

        /** Sets the most tokens to add. */
        public Builder optMaxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        /** Sets whether to sample. */
        public Builder optDoSample(boolean doSample) {
            this.doSample = doSample;
            return this;
        }

        /** Sets the sampling temperature. */
        public Builder optTemperature(double temperature) {
            if (temperature <= 0) {
                throw new IllegalArgumentException(
                        "temperature must be > 0, not " + temperature + "; use greedy instead");
            }
            this.temperature = temperature;
            return this;
        }

        /** Sets top-k (0 turns it off). */
        public Builder optTopK(int topK) {
            this.topK = topK;
            return this;
        }

        /** Sets top-p in (0, 1]. */
        public Builder optTopP(double topP) {
            if (topP <= 0 || topP > 1) {
                throw new IllegalArgumentException("top_p must be in (0, 1], not " + topP);
            }
            this.topP = topP;
            return this;
        }

        /** Sets the repetition penalty (> 0; 1 is none). */
        public Builder optRepetitionPenalty(double repetitionPenalty) {
            if (repetitionPenalty <= 0) {
                throw new IllegalArgumentException(
                        "repetition_penalty must be > 0, not " + repetitionPenalty);
            }
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        /** Sets the sampling seed. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Sets the ids that end generation. */
        public Builder optEosTokenIds(Set<Long> eosTokenIds) {
            this.eosTokenIds = Set.copyOf(eosTokenIds);
            return this;
        }

        /** Sets strings that end generation. */
        public Builder optStopStrings(List<String> stopStrings) {
            this.stopStrings = List.copyOf(stopStrings);
            return this;
        }

        /** Sets whether to use a KV cache. */
        public Builder optUseCache(boolean useCache) {
            this.useCache = useCache;
            return this;
        }

        /** Returns the config. */
        public GenerationConfig build() {
            return new GenerationConfig(
                    maxNewTokens,
                    doSample,
                    temperature,
                    topK,
                    topP,
                    repetitionPenalty,
                    seed,
                    eosTokenIds,
                    stopStrings,
                    useCache);
        }
    }
}
