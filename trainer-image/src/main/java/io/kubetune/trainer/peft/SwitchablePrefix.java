package io.kubetune.trainer.peft;

import io.kubetune.trainer.model.InputPrefix;

/** A prompt-learning prefix that can be switched off (the model then runs as the base model). */
interface SwitchablePrefix extends InputPrefix {

    /** Switches the prefix off ({@code true}) or on; returns whether it was off before. */
    boolean switchOff(boolean off);
}
