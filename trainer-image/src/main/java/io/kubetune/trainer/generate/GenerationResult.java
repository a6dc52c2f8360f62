package io.kubetune.trainer.generate;

/**
 * What generation produced.
 *
 * @param tokens the new token ids, after the prompt
 * @param text the new tokens decoded (special tokens kept), or null without a tokenizer
 * @param stopReason why generation ended
 */
public record GenerationResult(long[] tokens, String text, StopReason stopReason) {

    /** Why generation ended. */
    public enum StopReason {
        /** An end-of-sequence token was generated. */
        EOS,
        /** The generated text contains a stop string. */
        STOP_STRING,
        /** {@code maxNewTokens} were generated. */
        MAX_TOKENS
    }
}
