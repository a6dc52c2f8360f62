package io.kubetune.trainer.eval;

import java.util.Arrays;

/**
 * One log-likelihood request in tokens: the context the model reads and the continuation whose
 * log-probability is summed.
 *
 * @param context the context's tokens, BOS included where the tokenizer adds one; never empty
 * @param continuation the continuation's tokens; never empty
 */
public record EncodedRequest(int[] context, int[] continuation) {

    /** Checks the invariants lm-eval asserts before it scores a request. */
    public EncodedRequest {
        if (context.length == 0) {
            throw new IllegalArgumentException("a request needs at least one context token");
        }
        if (continuation.length == 0) {
            throw new IllegalArgumentException("a request needs at least one continuation token");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedRequest r
                && Arrays.equals(context, r.context)
                && Arrays.equals(continuation, r.continuation);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(context) + Arrays.hashCode(continuation);
    }

    @Override
    public String toString() {
        return "EncodedRequest[context="
                + Arrays.toString(context)
                + ", continuation="
                + Arrays.toString(continuation)
                + "]";
    }
}
