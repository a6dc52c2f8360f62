package io.kubetune.trainer.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic model of hellaswag_reference.json, in double precision: {@code logit(prev, v) = 3
 * sin(0.37 prev + 0.11 v + 0.05 first + 0.013 pos)} where {@code prev} is the token at input
 * position {@code pos} and {@code first} the first token of the input window, so that a window cut
 * differently changes the scores. It records the batches it was given.
 */
public final class SyntheticModel implements LogLikelihoodModel {

    private final int maxLength;
    private final int vocab;
    private final List<List<ScoringGroup>> batches = new ArrayList<>();

    public SyntheticModel(int maxLength, int vocab) {
        this.maxLength = maxLength;
        this.vocab = vocab;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public List<List<ContinuationScore>> score(List<ScoringGroup> batch) {
        batches.add(batch);
        List<List<ContinuationScore>> out = new ArrayList<>();
        for (ScoringGroup group : batch) {
            List<ContinuationScore> scores = new ArrayList<>();
            for (int[] continuation : group.continuations()) {
                scores.add(score(group.context(), continuation));
            }
            out.add(scores);
        }
        return out;
    }

    /** The batches seen so far. */
    public List<List<ScoringGroup>> batches() {
        return batches;
    }

    private ContinuationScore score(int[] context, int[] continuation) {
        if (context.length + continuation.length > maxLength + 1) {
            throw new AssertionError("request longer than the window reached the model");
        }
        double first = context[0];
        double sum = 0;
        boolean greedy = true;
        for (int j = 0; j < continuation.length; j++) {
            int pos = context.length - 1 + j;
            double prev = j == 0 ? context[context.length - 1] : continuation[j - 1];
            double[] logits = new double[vocab];
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int v = 0; v < vocab; v++) {
                logits[v] = 3.0 * Math.sin(0.37 * prev + 0.11 * v + 0.05 * first + 0.013 * pos);
                if (logits[v] > max) {
                    max = logits[v];
                    argmax = v;
                }
            }
            double exp = 0;
            for (double l : logits) {
                exp += Math.exp(l - max);
            }
            sum += logits[continuation[j]] - max - Math.log(exp);
            greedy &= argmax == continuation[j];
        }
        return new ContinuationScore(sum, greedy);
    }
}
