package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.eval.Argmax;
import io.kubetune.trainer.eval.ContinuationScore;
import io.kubetune.trainer.eval.PythonStrings;
import java.util.List;

/**
 * How one item was scored, as lm-eval's {@code process_results} for multiple choice judges it.
 *
 * @param idx the item's position in its file
 * @param gold the right ending
 * @param ll the log-likelihood of each ending
 * @param greedy whether each ending is what greedy decoding produces
 * @param pred {@code argmax(ll)}
 * @param predNorm {@code argmax(ll / len(choice))}, lengths in characters
 * @param acc 1 if {@code pred == gold}, else 0
 * @param accNorm 1 if {@code predNorm == gold}, else 0
 */
public record HellaswagItemResult(
        int idx,
        int gold,
        double[] ll,
        boolean[] greedy,
        int pred,
        int predNorm,
        double acc,
        double accNorm) {

    /** Judges a doc from its endings' scores. */
    public static HellaswagItemResult judge(HellaswagDoc doc, List<ContinuationScore> scores) {
        int k = doc.choices().size();
        if (scores.size() != k) {
            throw new IllegalArgumentException(
                    "item " + doc.index() + ": " + scores.size() + " scores for " + k + " choices");
        }
        double[] ll = new double[k];
        double[] normalized = new double[k];
        boolean[] greedy = new boolean[k];
        for (int i = 0; i < k; i++) {
            ll[i] = scores.get(i).logLikelihood();
            greedy[i] = scores.get(i).greedy();
            // numpy: a negative ll over an empty choice is -inf; 0.0 / 0 is NaN, and NaN wins.
            normalized[i] = ll[i] / (double) PythonStrings.length(doc.choices().get(i));
        }
        int pred = Argmax.of(ll);
        int predNorm = Argmax.of(normalized);
        return new HellaswagItemResult(
                doc.index(),
                doc.gold(),
                ll,
                greedy,
                pred,
                predNorm,
                pred == doc.gold() ? 1.0 : 0.0,
                predNorm == doc.gold() ? 1.0 : 0.0);
    }
}
