package io.kubetune.trainer.eval.hellaswag;

import java.util.List;

/**
 * An item as lm-eval's hellaswag task sees it after {@code process_docs}.
 *
 * @param index the item's position in its file
 * @param query the preprocessed context
 * @param choices the preprocessed endings
 * @param gold the index of the right ending
 */
public record HellaswagDoc(int index, String query, List<String> choices, int gold) {

    /** Copies the choices. */
    public HellaswagDoc {
        choices = List.copyOf(choices);
    }
}
