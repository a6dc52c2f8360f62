package io.kubetune.trainer.eval;

/**
 * The score of one continuation.
 *
 * @param logLikelihood the sum of the continuation tokens' log-probabilities
 * @param greedy whether every continuation token was the model's top choice at its position
 */
public record ContinuationScore(double logLikelihood, boolean greedy) {}
