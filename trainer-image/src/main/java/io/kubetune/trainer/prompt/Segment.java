package io.kubetune.trainer.prompt;

/**
 * A piece of rendered prompt text.
 *
 * @param trainable true where the loss is computed (the assistant's answers by default)
 */
public record Segment(String text, boolean trainable) {}
