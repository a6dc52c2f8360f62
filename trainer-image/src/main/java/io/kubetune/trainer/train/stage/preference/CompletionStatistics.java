package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.loss.LabelledLogProbs;
import io.kubetune.trainer.model.ModelOutput;

/**
 * Per row, the sums over its answer tokens of the next-token distribution's entropy and of its mean
 * logit: what TRL's fused LM head reports as {@code entropy} and {@code mean_logits} (trainer/
 * utils.py) for the {@code entropy} and {@code logits/*} metrics. No gradient; the head is applied
 * a chunk of positions at a time in a scope freed at once, so no {@code [tokens, vocab]} logits
 * stay.
 *
 * @param entropy each row's summed entropy (nats)
 * @param meanLogits each row's summed mean logit
 * @param tokens each row's answer tokens
 */
record CompletionStatistics(double[] entropy, double[] meanLogits, int[] tokens) {

    /**
     * @param output a pass over {@code [rows, seq]}
     * @param labels its labels: answer ids, {@link TokenizedSample#IGNORE} elsewhere
     */
    static CompletionStatistics of(ModelOutput output, int[][] labels) {
        int rows = labels.length;
        int seq = rows == 0 ? 0 : labels[0].length;
        double[] entropy = new double[rows];
        double[] meanLogits = new double[rows];
        int[] tokens = new int[rows];
        int count = 0;
        for (int[] row : labels) {
            for (int t = 1; t < seq; t++) {
                count += row[t] != TokenizedSample.IGNORE ? 1 : 0;
            }
        }
        if (count == 0) {
            return new CompletionStatistics(entropy, meanLogits, tokens);
        }
        long[] index = new long[count];
        int[] rowOf = new int[count];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int t = 1; t < seq; t++) {
                if (labels[r][t] != TokenizedSample.IGNORE) {
                    index[n] = (long) r * seq + t - 1;
                    rowOf[n++] = r;
                    tokens[r]++;
                }
            }
        }
        NDArray hidden = output.hidden();
        int chunk =
                LabelledLogProbs.chunkPositions(
                        output.vocabSize(), LabelledLogProbs.DEFAULT_CHUNK_BYTES);
        try (NDManager scope = hidden.getManager().newSubManager()) {
            NDArray flat = hidden.stopGradient().reshape(-1, hidden.getShape().get(2));
            flat.attach(scope);
            NDArray picked = flat.get(scope.create(index));
            for (int from = 0; from < count; from += chunk) {
                int to = Math.min(count, from + chunk);
                NDArray h = picked.get(new NDIndex("{}:{}", from, to));
                NDArray logits = logits(output, h).toType(DataType.FLOAT32, false);
                NDArray logProbs = logits.logSoftmax(1);
                float[] e = logProbs.exp().mul(logProbs).sum(new int[] {1}).neg().toFloatArray();
                float[] m = logits.mean(new int[] {1}).toFloatArray();
                for (int i = from; i < to; i++) {
                    entropy[rowOf[i]] += e[i - from];
                    meanLogits[rowOf[i]] += m[i - from];
                }
            }
        }
        return new CompletionStatistics(entropy, meanLogits, tokens);
    }

    // The activation comes first, so the logits belong to its (the chunk's) manager.
    private static NDArray logits(ModelOutput output, NDArray h) {
        NDArray weight = output.lmHeadWeight();
        if (weight == null) {
            return output.logitsOf(h).stopGradient();
        }
        return h.getNDArrayInternal().linear(h, weight, null).singletonOrThrow();
    }
}
