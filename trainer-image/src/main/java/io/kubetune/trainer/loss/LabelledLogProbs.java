package io.kubetune.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Scalars;

/**
 * The log-probability of each labelled next token, with the LM head applied only where a label
 * counts and in chunks of bounded size, so a step never holds {@code [tokens, vocab]} logits.
 *
 * <p>Position t's hidden state predicts the label at t+1, as in {@link CausalLmLoss}; after virtual
 * tokens ({@link ModelOutput#lead()}) the first label is predicted too. The counted positions'
 * hidden states are gathered, projected and scored a chunk at a time, log-softmax in F32. When the
 * head's weight is frozen (LoRA, a reference model, evaluation) a chunk's logits are freed as soon
 * as it is scored: the gradient of its log-probs with respect to the hidden states, {@code w[label]
 * - softmax · W}, is computed with them, and the returned values carry exactly that gradient (value
 * {@code logp}, derivative through {@code (h - stop(h)) · g}), so memory is one chunk's logits
 * whatever the batch. When the head trains, the chunks stay in the graph: memory then covers the
 * counted positions' logits only.
 */
public final class LabelledLogProbs {

    /** A chunk's F32 logits take at most this much memory by default. */
    public static final long DEFAULT_CHUNK_BYTES = 64L << 20;

    private final NDArray values;
    private final int[] rows;
    private final int batchRows;
    private final long correct;
    private final NDArray hidden;

    private LabelledLogProbs(
            NDArray values, int[] rows, int batchRows, long correct, NDArray hidden) {
        this.values = values;
        this.rows = rows;
        this.batchRows = batchRows;
        this.correct = correct;
        this.hidden = hidden;
    }

    /**
     * A chunk projects at least this many positions: the head's products over fewer rows run well
     * below the machine's matmul rate (on a 151,936 vocabulary, 110 rows ran at 70% of 512 rows'
     * rate, 256 rows at 94%), and the head is most of a small model's work.
     */
    public static final int MIN_CHUNK_POSITIONS = 256;

    /**
     * Returns how many positions a chunk projects: as many as fit in {@code bytes} of F32 logits
     * over {@code vocab}, but at least {@link #MIN_CHUNK_POSITIONS}.
     */
    public static int chunkPositions(long vocab, long bytes) {
        long fit = bytes / (4 * vocab);
        return (int) Math.max(MIN_CHUNK_POSITIONS, Math.min(Integer.MAX_VALUE, fit));
    }

    /** Scores the labelled positions of a pass in chunks of {@link #DEFAULT_CHUNK_BYTES}. */
    public static LabelledLogProbs of(ModelOutput output, NDArray labels) {
        return of(output, labels, chunkPositions(output.vocabSize(), DEFAULT_CHUNK_BYTES));
    }

    /**
     * Scores the labelled positions of a pass.
     *
     * @param output the pass, with its LM head
     * @param labels {@code [batch, seq]} INT64; {@link CausalLmLoss#IGNORE_INDEX} does not count
     * @param chunkPositions how many positions are projected at once
     */
    public static LabelledLogProbs of(ModelOutput output, NDArray labels, int chunkPositions) {
        NDArray hidden = output.hidden();
        if (output.lead() != null) {
            // Virtual tokens came first: the last one predicts the first label, as PEFT counts it.
            hidden = output.lead().concat(hidden, 1);
            NDArray ignored =
                    labels.getManager()
                            .full(
                                    new Shape(labels.getShape().get(0), 1),
                                    (float) CausalLmLoss.IGNORE_INDEX,
                                    DataType.INT64);
            labels = ignored.concat(labels.toType(DataType.INT64, false), 1);
        }
        Shape shape = hidden.getShape();
        int batch = (int) shape.get(0);
        int seq = (int) shape.get(1);
        LabelledPositions positions =
                LabelledPositions.of(labels.toType(DataType.INT64, false).toLongArray(), seq);
        if (positions.count() == 0) {
            NDArray none = hidden.getManager().zeros(new Shape(0), DataType.FLOAT32);
            return new LabelledLogProbs(none, positions.rows(), batch, 0, hidden);
        }
        NDManager scope = hidden.getManager();
        NDArray picked =
                hidden.reshape((long) batch * seq, shape.get(2))
                        .get(scope.create(positions.index()));
        NDArray targets = scope.create(positions.targets());
        NDArray weight = output.lmHeadWeight();
        // hasGradient() is only reliable on leaves (the weight), not on the hidden states.
        boolean differentiated = output.training();
        ChunkScores scores =
                weight == null || (differentiated && weight.hasGradient())
                        ? ChunkScores.inGraph(output, picked, targets, chunkPositions)
                        : ChunkScores.detached(
                                weight, picked, targets, chunkPositions, differentiated);
        NDArray values = scores.values();
        if (scores.hiddenGradient() != null) {
            // Zero in value; its derivative with respect to the hidden states is the gradient.
            NDArray tangent =
                    DifferentiableCast.to(
                            picked.sub(picked.stopGradient())
                                    .mul(scores.hiddenGradient())
                                    .sum(new int[] {1}),
                            DataType.FLOAT32);
            values = values.add(tangent);
        }
        return new LabelledLogProbs(values, positions.rows(), batch, scores.correct(), hidden);
    }

    /** Returns each counted token's log-probability {@code [count]} F32, in row-major order. */
    public NDArray values() {
        return values;
    }

    /** Returns how many tokens count. */
    public int count() {
        return rows.length;
    }

    /** Returns how many counted tokens are the most likely next token. */
    public long correct() {
        return correct;
    }

    /** Returns the sum of the counted tokens' log-probabilities, a 0-d F32 array. */
    public NDArray sum() {
        if (rows.length == 0) {
            return attachedZero().reshape(new Shape());
        }
        return values.sum();
    }

    /** Returns each row's summed log-probability {@code [batch]} F32 (0 for a row with none). */
    public NDArray rowSums() {
        NDManager manager = hidden.getManager();
        if (rows.length == 0) {
            return manager.zeros(new Shape(batchRows), DataType.FLOAT32).add(attachedZero());
        }
        float[] membership = new float[batchRows * rows.length];
        for (int i = 0; i < rows.length; i++) {
            membership[rows[i] * rows.length + i] = 1;
        }
        NDArray m = manager.create(membership, new Shape(batchRows, rows.length));
        return m.matMul(values.reshape(rows.length, 1)).reshape(batchRows);
    }

    // A zero still attached to the pass's graph, so that backward works on a batch with no label.
    private NDArray attachedZero() {
        NDArray any = DifferentiableCast.to(hidden.sum(), DataType.FLOAT32);
        return any.mul(Scalars.like(any, 0));
    }

    /** Where labels count: flat hidden-state index, target and row of each. */
    private record LabelledPositions(long[] index, long[] targets, int[] rows) {
        static LabelledPositions of(long[] labels, int seq) {
            int count = 0;
            for (int i = 0; i < labels.length; i++) {
                count += i % seq != 0 && labels[i] != CausalLmLoss.IGNORE_INDEX ? 1 : 0;
            }
            long[] index = new long[count];
            long[] targets = new long[count];
            int[] rows = new int[count];
            int n = 0;
            for (int i = 0; i < labels.length; i++) {
                if (i % seq != 0 && labels[i] != CausalLmLoss.IGNORE_INDEX) {
                    index[n] = i - 1;
                    targets[n] = labels[i];
                    rows[n] = i / seq;
                    n++;
                }
            }
            return new LabelledPositions(index, targets, rows);
        }

        int count() {
            return index.length;
        }
    }

    /**
     * The chunks' log-probs {@code [count]}, argmax hits, and the gradient of the log-probs with
     * respect to the hidden states {@code [count, hidden]} when it was computed ahead.
     */
    private record ChunkScores(NDArray values, long correct, NDArray hiddenGradient) {

        // Each chunk in its own manager, freed once scored; values and gradient outlive it.
        static ChunkScores detached(
                NDArray weight, NDArray picked, NDArray targets, int chunk, boolean gradient) {
            NDManager scope = picked.getManager();
            NDArray constant = picked.stopGradient();
            int count = (int) picked.getShape().get(0);
            NDList values = new NDList();
            NDList gradients = new NDList();
            long correct = 0;
            for (int from = 0; from < count; from += chunk) {
                NDIndex range = new NDIndex("{}:{}", from, Math.min(count, from + chunk));
                try (NDManager chunkScope = scope.newSubManager()) {
                    NDArray h = constant.get(range);
                    NDArray y = targets.get(range);
                    h.attach(chunkScope);
                    y.attach(chunkScope);
                    NDArray logProbs = logProbs(h, weight);
                    NDArray v = logProbs.gather(y.reshape(-1, 1), 1).reshape(-1).stopGradient();
                    correct += hits(logProbs, y);
                    if (gradient) {
                        NDArray expected = logProbs.exp().toType(h.getDataType(), false);
                        NDArray labelRows =
                                y.getNDArrayInternal()
                                        .embedding(y, weight, SparseFormat.DENSE)
                                        .singletonOrThrow();
                        NDArray g = labelRows.sub(expected.matMul(weight)).stopGradient();
                        g.attach(scope);
                        gradients.add(g);
                    }
                    v.attach(scope);
                    values.add(v);
                }
            }
            return new ChunkScores(
                    concat(values), correct, gradient ? NDArrays.concat(gradients) : null);
        }

        // Each chunk through the LM head with gradients recorded (a head that trains).
        static ChunkScores inGraph(ModelOutput output, NDArray picked, NDArray targets, int chunk) {
            int count = (int) picked.getShape().get(0);
            NDList values = new NDList();
            long correct = 0;
            for (int from = 0; from < count; from += chunk) {
                NDIndex range = new NDIndex("{}:{}", from, Math.min(count, from + chunk));
                NDArray y = targets.get(range);
                // DJL's toType cuts the graph (DJL-NOTES): a trained head needs the cast kept.
                NDArray logProbs =
                        DifferentiableCast.to(output.logitsOf(picked.get(range)), DataType.FLOAT32)
                                .logSoftmax(1);
                values.add(logProbs.gather(y.reshape(-1, 1), 1).reshape(-1));
                correct += hits(logProbs, y);
            }
            return new ChunkScores(concat(values), correct, null);
        }

        private static NDArray logProbs(NDArray h, NDArray weight) {
            NDArray logits = h.getNDArrayInternal().linear(h, weight, null).singletonOrThrow();
            return logits.toType(DataType.FLOAT32, false).logSoftmax(1);
        }

        private static long hits(NDArray logProbs, NDArray targets) {
            NDArray best = logProbs.argMax(1).toType(DataType.INT64, false);
            return best.eq(targets).toType(DataType.INT64, false).sum().getLong();
        }

        private static NDArray concat(NDList parts) {
            return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
        }
    }
}
