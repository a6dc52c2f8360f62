package io.kubetune.trainer.model;

import ai.djl.training.ParameterStore;

/**
 * What a prompt-learning method puts before every input of a decoder: virtual token embeddings in
 * front of the input's (prompt tuning, P-tuning) or keys and values in front of every layer's
 * (prefix tuning). The decoder asks it on each pass, so training, generation and evaluation all see
 * the same model; callers keep giving their own tokens, masks and positions only.
 */
public interface InputPrefix {

    /**
     * Rewrites one pass's input.
     *
     * @param ps the parameter store
     * @param model the decoder, for its token embeddings
     * @param input the caller's input
     * @param training whether this pass is differentiated
     * @return the input the layers see, with what goes in front of it
     */
    PrefixedInput apply(ParameterStore ps, DecoderLm model, ModelInput input, boolean training);
}
