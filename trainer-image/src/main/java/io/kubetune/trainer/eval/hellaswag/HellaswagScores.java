package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.eval.SampleMean;
import java.util.List;

/**
 * The scored items and their aggregates.
 *
 * @param items per item, in input order
 * @param acc mean accuracy and its standard error
 * @param accNorm mean length-normalized accuracy and its standard error
 */
public record HellaswagScores(List<HellaswagItemResult> items, SampleMean acc, SampleMean accNorm) {

    /** Aggregates per-item results as lm-eval does ({@code mean}, {@code mean_stderr}). */
    public static HellaswagScores of(List<HellaswagItemResult> items) {
        return new HellaswagScores(
                items,
                SampleMean.of(items.stream().mapToDouble(HellaswagItemResult::acc).toArray()),
                SampleMean.of(items.stream().mapToDouble(HellaswagItemResult::accNorm).toArray()));
    }

    /** Copies the list. */
    public HellaswagScores {
        items = List.copyOf(items);
    }
}
