package io.kubetune.trainer.data;

import java.util.List;

/** One training example, after its record has been read and checked. */
public sealed interface Sample {
    /** Raw text for pre-training: every token is trained on. */
    record Text(String text) implements Sample {}

    /** A conversation: a system turn first if any, then user and assistant turns. */
    record Chat(List<Turn> turns) implements Sample {
        public Chat {
            turns = List.copyOf(turns);
        }
    }
}
