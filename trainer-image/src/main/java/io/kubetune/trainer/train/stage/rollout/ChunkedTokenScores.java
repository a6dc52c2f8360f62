package io.kubetune.trainer.train.stage.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.kubetune.trainer.loss.LabelledLogProbs;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.Scalars;

/**
 * {@link TokenLogps}'s computation done as {@link LabelledLogProbs} does it: the hidden states are
 * flattened to one contiguous {@code [positions, hidden]} matrix (a sliced {@code [rows, width,
 * hidden]} view made the head a broadcast {@code bmm}; flat it is one {@code mm} per chunk), and
 * projected a chunk of at most {@link LabelledLogProbs#DEFAULT_CHUNK_BYTES} F32 logits at a time.
 *
 * <p>When the head's weight is frozen (LoRA, a reference or old-policy pass) each chunk's logits
 * are freed once scored: the gradient of {@code log_softmax(h·Wᵀ / d)[y]} with respect to {@code
 * h}, {@code (W[y] - softmax · W) / d}, is computed with them and the log-probs carry exactly that
 * gradient (value {@code logp}, derivative through {@code (h - stop(h)) · g}). The losses that use
 * these log-probs (GRPO, PPO) differentiate them once, so the first derivative is all they need.
 * When the head trains (or carries an adapter) the chunks stay in the graph.
 */
final class ChunkedTokenScores {

    private ChunkedTokenScores() {}

    /**
     * Scores {@code ids} under the head applied to {@code hidden}.
     *
     * @param hidden {@code [rows, width, hidden]}, possibly a strided slice of the pass's states
     * @param ids {@code [rows, width]} INT64
     * @param mask {@code [rows, width]}, 0 where a position is padding (not scored), or null
     * @param divisor what the logits are divided by before the log-softmax
     */
    static TokenLogps score(
            ModelOutput output, NDArray hidden, NDArray ids, NDArray mask, double divisor) {
        return score(
                output,
                hidden,
                ids,
                mask,
                divisor,
                LabelledLogProbs.chunkPositions(
                        output.vocabSize(), LabelledLogProbs.DEFAULT_CHUNK_BYTES));
    }

    /**
     * As {@link #score(ModelOutput, NDArray, NDArray, NDArray, double)}, {@code chunk} positions at
     * once.
     */
    static TokenLogps score(
            ModelOutput output,
            NDArray hidden,
            NDArray ids,
            NDArray mask,
            double divisor,
            int chunk) {
        Shape shape = hidden.getShape();
        long rows = shape.get(0);
        long width = shape.get(1);
        long positions = rows * width;
        // reshape copies a strided slice into one contiguous matrix (and keeps the graph).
        NDArray flat = hidden.reshape(positions, shape.get(2));
        NDArray targets = ids.toType(DataType.INT64, false).reshape(positions);
        NDArray spread = null;
        if (mask != null) {
            // Only real tokens go through the head; padding gets log-prob and entropy 0.
            long[] kept = keptPositions(mask.toType(DataType.FLOAT32, false).toFloatArray());
            if (kept.length < positions) {
                NDArray index = flat.getManager().create(kept);
                flat = flat.get(index);
                targets = targets.get(index);
                spread = spreading(flat.getManager(), kept, positions);
            }
        }
        NDArray weight = output.lmHeadWeight();
        // hasGradient() is only reliable on leaves (the weight), not on the hidden states.
        boolean differentiated = output.training();
        NDList parts =
                weight == null || (differentiated && weight.hasGradient())
                        ? inGraph(output, flat, targets, divisor, chunk)
                        : detached(weight, flat, targets, divisor, chunk, differentiated);
        NDArray logps = parts.get(0);
        if (parts.size() > 2) {
            // Zero in value; its derivative with respect to the hidden states is the gradient.
            NDArray tangent =
                    DifferentiableCast.to(
                            flat.sub(flat.stopGradient()).mul(parts.get(2)).sum(new int[] {1}),
                            DataType.FLOAT32);
            logps = logps.add(tangent);
        }
        NDArray entropies = parts.get(1);
        if (spread != null) {
            logps = spread.matMul(logps.reshape(-1, 1));
            entropies = spread.matMul(entropies.reshape(-1, 1));
        }
        return new TokenLogps(logps.reshape(rows, width), entropies.reshape(rows, width));
    }

    private static long[] keptPositions(float[] mask) {
        int count = 0;
        for (float m : mask) {
            count += m != 0 ? 1 : 0;
        }
        long[] kept = new long[count];
        int n = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                kept[n++] = i;
            }
        }
        return kept;
    }

    // [positions, kept] with a 1 where a kept value goes: a product with it puts the values back in
    // place (zeros between) and passes their gradients, which an in-place scatter would not.
    private static NDArray spreading(NDManager manager, long[] kept, long positions) {
        float[] ones = new float[(int) (positions * kept.length)];
        for (int i = 0; i < kept.length; i++) {
            ones[(int) (kept[i] * kept.length + i)] = 1;
        }
        return manager.create(ones, new Shape(positions, kept.length));
    }

    // Log-probs, entropies and, when asked, the gradient ahead; each chunk in its own manager.
    private static NDList detached(
            NDArray weight,
            NDArray flat,
            NDArray targets,
            double divisor,
            int chunk,
            boolean gradient) {
        NDManager scope = flat.getManager();
        NDArray constant = flat.stopGradient();
        long count = flat.getShape().get(0);
        NDList logps = new NDList();
        NDList entropies = new NDList();
        NDList gradients = new NDList();
        for (long from = 0; from < count; from += chunk) {
            NDIndex range = new NDIndex("{}:{}", from, Math.min(count, from + chunk));
            try (NDManager chunkScope = scope.newSubManager()) {
                NDArray h = constant.get(range);
                NDArray y = targets.get(range);
                h.attach(chunkScope);
                y.attach(chunkScope);
                NDArray logits = h.getNDArrayInternal().linear(h, weight, null).singletonOrThrow();
                NDArray logSoftmax = scaled(logits.toType(DataType.FLOAT32, false), divisor);
                NDArray probs = logSoftmax.exp();
                keep(logSoftmax.gather(y.reshape(-1, 1), 1).reshape(-1), scope, logps);
                keep(entropy(probs, logSoftmax), scope, entropies);
                if (gradient) {
                    NDArray labelRows =
                            y.getNDArrayInternal()
                                    .embedding(y, weight, SparseFormat.DENSE)
                                    .singletonOrThrow();
                    NDArray g = labelRows.sub(probs.toType(h.getDataType(), false).matMul(weight));
                    if (divisor != 1.0) {
                        g = g.div(Scalars.like(g, divisor));
                    }
                    keep(g, scope, gradients);
                }
            }
        }
        NDList parts = new NDList(concat(logps), concat(entropies));
        if (gradient) {
            parts.add(concat(gradients));
        }
        return parts;
    }

    // Each chunk through the head with gradients recorded (a head that trains, or an adapter on
    // it).
    private static NDList inGraph(
            ModelOutput output, NDArray flat, NDArray targets, double divisor, int chunk) {
        long count = flat.getShape().get(0);
        NDList logps = new NDList();
        NDList entropies = new NDList();
        for (long from = 0; from < count; from += chunk) {
            NDIndex range = new NDIndex("{}:{}", from, Math.min(count, from + chunk));
            // DJL's toType cuts the graph (DJL-NOTES): a trained head needs the cast kept.
            NDArray logits =
                    DifferentiableCast.to(output.logitsOf(flat.get(range)), DataType.FLOAT32);
            NDArray logSoftmax = scaled(logits, divisor);
            logps.add(logSoftmax.gather(targets.get(range).reshape(-1, 1), 1).reshape(-1));
            NDArray detached = logSoftmax.stopGradient();
            entropies.add(entropy(detached.exp(), detached));
        }
        return new NDList(concat(logps), concat(entropies));
    }

    private static NDArray scaled(NDArray logits, double divisor) {
        NDArray scaled = divisor == 1.0 ? logits : logits.div(Scalars.like(logits, divisor));
        return scaled.logSoftmax(1);
    }

    // The entropy of each row's distribution, a metric: no gradient.
    private static NDArray entropy(NDArray probs, NDArray logSoftmax) {
        return probs.mul(logSoftmax).sum(new int[] {1}).neg().stopGradient();
    }

    private static void keep(NDArray part, NDManager scope, NDList into) {
        NDArray kept = part.stopGradient();
        kept.attach(scope);
        into.add(kept);
    }

    private static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
    }
}
