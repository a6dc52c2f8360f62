package io.kubetune.trainer.eval.hellaswag;

import java.util.List;

/**
 * One hellaswag item, in the fields of both canonical layouts (rowanz {@code hellaswag_val.jsonl}
 * and Hugging Face {@code Rowan/hellaswag}).
 *
 * @param index the item's 0-based position in its file (lm-eval's {@code doc_id})
 * @param ind the data set's own id ({@code ind}); null if absent
 * @param activityLabel {@code activity_label}
 * @param ctxA {@code ctx_a}
 * @param ctxB {@code ctx_b}
 * @param endings the four candidate endings
 * @param label the index of the right ending
 * @param sourceId {@code source_id}; null if absent
 * @param splitType {@code split_type} (indomain or zeroshot); null if absent
 */
public record HellaswagItem(
        int index,
        Long ind,
        String activityLabel,
        String ctxA,
        String ctxB,
        List<String> endings,
        int label,
        String sourceId,
        String splitType) {

    /** Copies the endings. */
    public HellaswagItem {
        endings = List.copyOf(endings);
    }
}
