package io.kubetune.trainer.peft;

import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.InputPrefix;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PrefixedInput;

/**
 * A prompt-learning prefix that can be switched off (the model then runs as the base model). The
 * switch lives here so that each prefix only says what it adds while it is on.
 */
abstract class SwitchablePrefix implements InputPrefix {
    private boolean off;

    /** Switches the prefix off ({@code true}) or on; returns whether it was off before. */
    final boolean switchOff(boolean value) {
        boolean was = off;
        off = value;
        return was;
    }

    @Override
    public final PrefixedInput apply(
            ParameterStore ps, DecoderLm model, ModelInput input, boolean training) {
        return off ? PrefixedInput.none(input) : applyOn(ps, model, input, training);
    }

    /** The input with this prefix added; only called while the prefix is on. */
    protected abstract PrefixedInput applyOn(
            ParameterStore ps, DecoderLm model, ModelInput input, boolean training);
}
