package io.kubetune.trainer.eval;

import java.util.List;

/**
 * A causal language model that scores continuations, as lm-evaluation-harness' {@code
 * loglikelihood} does: the sum of the continuation tokens' log-probabilities (log-softmax over the
 * vocabulary) given the context and the continuation tokens before them, and whether greedy
 * decoding would have produced the continuation.
 *
 * <p>{@link ContinuationScorer} calls it with batches already sorted by length, longest first, so
 * that little padding is needed. The continuations of one {@link ScoringGroup} share their context:
 * an implementation can run that context once and reuse its key/value cache for each of them (the
 * four endings of a hellaswag item), or simply score each context + continuation on its own.
 */
public interface LogLikelihoodModel {

    /**
     * The most tokens one forward pass takes (lm-eval's {@code max_length}). Requests longer than
     * this lose context tokens on the left before they reach {@link #score}.
     */
    int maxLength();

    /**
     * Scores a batch.
     *
     * <p>The model input for continuation {@code c} of a group is {@code context + c} without its
     * last token; the scored positions are the last {@code c.length}. It is guaranteed that {@code
     * context.length >= 1} and {@code context.length + c.length <= maxLength() + 1}.
     *
     * @param batch groups of continuations that share a context
     * @return for each group, one score per continuation, in the order given
     */
    List<List<ContinuationScore>> score(List<ScoringGroup> batch);
}
