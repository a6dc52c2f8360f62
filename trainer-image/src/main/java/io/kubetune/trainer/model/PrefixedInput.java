package io.kubetune.trainer.model;

import io.kubetune.trainer.model.decoder.PastPrefix;

/**
 * A pass's input as the layers see it after an {@link InputPrefix}.
 *
 * @param input the input the layers run (grown by virtual tokens, or with shifted positions)
 * @param past keys and values in front of every layer's, or null
 * @param virtualPositions how many leading positions of {@code input} are not the caller's: their
 *     hidden states are dropped from the output, except the last one's, which predicts the caller's
 *     first token
 */
public record PrefixedInput(ModelInput input, PastPrefix past, int virtualPositions) {

    /** The input unchanged. */
    public static PrefixedInput none(ModelInput input) {
        return new PrefixedInput(input, null, 0);
    }
}
