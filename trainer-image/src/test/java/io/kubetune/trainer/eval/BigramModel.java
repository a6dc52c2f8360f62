package io.kubetune.trainer.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic model of hellaswag_reference.json: the next-token logits depend only on the current
 * token, {@code logit(prev, v) = 3 sin(0.37 prev + 0.11 v)}, in double precision. It records the
 * batches it was given.
 */
public final class BigramModel implements LogLikelihoodModel {

    private final int maxLength;
    private final int vocab;
    private final List<List<ScoringGroup>> batches = new ArrayList<>();

    public BigramModel(int maxLength, int vocab) {
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
        double sum = 0;
        boolean greedy = true;
        int prev = context[context.length - 1];
        for (int token : continuation) {
            double[] logits = new double[vocab];
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int v = 0; v < vocab; v++) {
                logits[v] = 3.0 * Math.sin(0.37 * prev + 0.11 * v);
                if (logits[v] > max) {
                    max = logits[v];
                    argmax = v;
                }
            }
            double exp = 0;
            for (double l : logits) {
                exp += Math.exp(l - max);
            }
            sum += logits[token] - max - Math.log(exp);
            greedy &= argmax == token;
            prev = token;
        }
        return new ContinuationScore(sum, greedy);
    }
}
