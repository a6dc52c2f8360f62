package io.kubetune.trainer.eval;

import java.util.Arrays;

/**
 * Splits a (context, continuation) request into tokens exactly as lm-evaluation-harness' causal
 * Hugging Face model does ({@code TemplateLM._encode_pair}).
 *
 * <p>Trailing whitespace of the context moves to the front of the continuation. The context plus
 * continuation is encoded as one text and the continuation's tokens are those after the first
 * {@code len(encode(context))}: a token that would straddle the boundary is scored as part of the
 * continuation, and the context's own encoding is what the model reads.
 *
 * <p>The last context's tokens are kept: the requests of a multiple-choice item share their
 * context, so a hellaswag item encodes it once instead of four times (the returned context arrays
 * are then shared and must not be changed). Not thread-safe.
 */
public final class RequestEncoder {

    private final TokenEncoder encoder;
    private String lastContext;
    private int[] lastContextTokens;

    /** Encodes with {@code encoder}, which adds the tokenizer's default special tokens. */
    public RequestEncoder(TokenEncoder encoder) {
        this.encoder = encoder;
    }

    /**
     * Encodes one request.
     *
     * @param context the text the model is conditioned on; must not be empty (lm-eval scores an
     *     empty context against the BOS token instead, which no task here needs)
     * @param continuation the text whose log-likelihood is wanted
     * @return the context's and the continuation's tokens
     */
    public EncodedRequest encode(String context, String continuation) {
        if (context.isEmpty()) {
            throw new IllegalArgumentException(
                    "empty context for continuation '" + continuation + "': not supported");
        }
        String trimmed = PythonStrings.rstrip(context);
        String movedContinuation = context.substring(trimmed.length()) + continuation;
        int[] whole = encoder.encode(trimmed + movedContinuation);
        if (!trimmed.equals(lastContext)) {
            lastContextTokens = encoder.encode(trimmed);
            lastContext = trimmed;
        }
        int[] contextTokens = lastContextTokens;
        int[] continuationTokens =
                Arrays.copyOfRange(
                        whole, Math.min(contextTokens.length, whole.length), whole.length);
        return new EncodedRequest(contextTokens, continuationTokens);
    }
}
