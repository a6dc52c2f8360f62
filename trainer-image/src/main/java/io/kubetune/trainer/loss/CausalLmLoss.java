package io.kubetune.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.DifferentiableCast;

/**
 * Next-token cross-entropy as transformers computes it for causal LMs: logits at position t predict
 * the label at t+1, in F32, labels of {@value #IGNORE_INDEX} do not count, and the mean is over
 * counted tokens.
 *
 * <p>Written from log-softmax and gather rather than DJL's losses, which scale by Java scalars
 * (wrong gradients, see shared DJL-NOTES).
 */
public final class CausalLmLoss {

    /** The label that marks a token as not predicted (padding, prompt). */
    public static final long IGNORE_INDEX = -100;

    private CausalLmLoss() {}

    /**
     * Returns each predicted token's negative log-likelihood, 0 where the label is ignored.
     *
     * @param logits {@code [batch, seq, vocab]}
     * @param labels {@code [batch, seq]} INT64, usually the input ids
     * @return {@code [batch, seq - 1]} F32
     */
    public static NDArray tokenLosses(NDArray logits, NDArray labels) {
        return losses(logits, labels)[0];
    }

    /**
     * Returns the mean negative log-likelihood over counted tokens.
     *
     * @param logits {@code [batch, seq, vocab]}
     * @param labels {@code [batch, seq]} INT64
     * @return a 0-d F32 array
     */
    public static NDArray mean(NDArray logits, NDArray labels) {
        NDArray[] parts = losses(logits, labels);
        return parts[0].sum().div(parts[1].sum());
    }

    // {per-token losses, 1.0 where counted}
    private static NDArray[] losses(NDArray logits, NDArray labels) {
        long seq = logits.getShape().get(1);
        NDArray predicting = logits.get(new NDIndex(":, 0:{}, :", seq - 1));
        NDArray targets = labels.get(new NDIndex(":, 1:{}", seq)).toType(DataType.INT64, false);
        NDArray counted = targets.neq(IGNORE_INDEX);
        NDArray zero = targets.getManager().zeros(new Shape(), DataType.INT64);
        NDArray safeTargets = NDArrays.where(counted, targets, zero);
        NDArray logProbs = DifferentiableCast.to(predicting, DataType.FLOAT32).logSoftmax(-1);
        NDArray picked = logProbs.gather(safeTargets.expandDims(-1), -1).squeeze(-1);
        NDArray weight = counted.toType(DataType.FLOAT32, false);
        return new NDArray[] {picked.neg().mul(weight), weight};
    }
}
