package io.kubetune.trainer.model.decoder;

import io.kubetune.trainer.model.layers.Activation;

/**
 * The shape of a layer's feed-forward.
 *
 * @param intermediate the inner width
 * @param activation the activation
 * @param gated whether a gate projection multiplies the activation ({@code down(act(gate(x)) *
 *     up(x))}, Llama's SwiGLU) or not ({@code down(act(up(x)))}, GPT-2's MLP)
 * @param bias whether the projections add a bias
 */
public record FeedForwardSpec(
        int intermediate, Activation activation, boolean gated, boolean bias) {}
