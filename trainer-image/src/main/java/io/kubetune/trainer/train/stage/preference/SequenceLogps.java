package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.loss.LabelledLogProbs;
import io.kubetune.trainer.model.ModelOutput;

/**
 * Each answer's log-probability under a model, summed over its tokens, and its token count.
 *
 * @param chosen {@code [pairs]}
 * @param rejected {@code [pairs]}
 * @param chosenTokens {@code [pairs]} F32
 * @param rejectedTokens {@code [pairs]} F32
 */
public record SequenceLogps(
        NDArray chosen, NDArray rejected, NDArray chosenTokens, NDArray rejectedTokens) {

    /**
     * @param output the pass over {@code [2 × pairs, seq]} rows, chosen rows first
     * @param labels {@code [2 × pairs, seq]}: answer ids, {@link TokenizedSample#IGNORE} elsewhere
     */
    public static SequenceLogps of(ModelOutput output, NDArray labels) {
        return of(LabelledLogProbs.of(output, labels), labels);
    }

    /**
     * @param logProbs the labelled tokens' log-probs of {@code [2 × pairs, seq]} rows
     * @param labels the labels they were scored with
     */
    public static SequenceLogps of(LabelledLogProbs logProbs, NDArray labels) {
        return ofSums(logProbs.rowSums(), labels);
    }

    /**
     * @param sums each row's summed answer log-prob {@code [2 × pairs]}, chosen rows first
     * @param labels the labels they were scored with
     */
    public static SequenceLogps ofSums(NDArray sums, NDArray labels) {
        long seq = labels.getShape().get(1);
        NDArray counts =
                labels.get(new NDIndex(":, 1:{}", seq))
                        .neq(TokenizedSample.IGNORE)
                        .toType(DataType.FLOAT32, false)
                        .sum(new int[] {1});
        NDList s = sums.split(2);
        NDList c = counts.split(2);
        return new SequenceLogps(s.get(0), s.get(1), c.get(0), c.get(1));
    }

    /** The log-probs divided by the answers' token counts (at least 1), as LLaMA-Factory's. */
    public SequenceLogps averaged() {
        return new SequenceLogps(
                chosen.div(atLeastOne(chosenTokens)),
                rejected.div(atLeastOne(rejectedTokens)),
                chosenTokens,
                rejectedTokens);
    }

    private static NDArray atLeastOne(NDArray counts) {
        return counts.maximum(counts.getManager().ones(counts.getShape().slice(0, 0)));
    }
}
