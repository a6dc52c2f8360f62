package io.kubetune.trainer.eval;

/**
 * Text to token ids, the way lm-evaluation-harness' Hugging Face model encodes a request: with the
 * tokenizer's default special tokens (a BOS where the tokenizer adds one), never truncated.
 */
@FunctionalInterface
public interface TokenEncoder {

    /** Returns the token ids of {@code text}. */
    int[] encode(String text);

    /**
     * lm-eval's {@code tok_encode}: default special tokens, except for text that already starts
     * with the prefix token's text (then none, so the BOS is not doubled).
     *
     * @param encoder encodes text, with or without the tokenizer's special tokens
     * @param prefixTokenText the decoded BOS (or EOS when the tokenizer has no BOS); null if none
     */
    static TokenEncoder lmEvalStyle(SpecialTokenAwareEncoder encoder, String prefixTokenText) {
        return text -> {
            boolean startsWithPrefix =
                    prefixTokenText != null
                            && !prefixTokenText.isEmpty()
                            && text.startsWith(prefixTokenText);
            return encoder.encode(text, !startsWithPrefix);
        };
    }

    /** A tokenizer that can leave its special tokens out. */
    @FunctionalInterface
    interface SpecialTokenAwareEncoder {
        /** Returns the ids of {@code text}, with the post-processor's special tokens or not. */
        int[] encode(String text, boolean addSpecialTokens);
    }
}
