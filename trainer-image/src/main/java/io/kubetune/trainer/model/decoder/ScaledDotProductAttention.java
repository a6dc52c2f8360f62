package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.DifferentiableCast;
import io.kubetune.trainer.model.Scalars;

/**
 * {@code softmax(q k^T * scale + bias) v} with grouped-query attention: each key/value head serves
 * {@code heads / kvHeads} query heads (head {@code h} uses key head {@code h / groups}, as
 * transformers' {@code repeat_kv}), by broadcasting instead of copying keys.
 */
public final class ScaledDotProductAttention {

    private ScaledDotProductAttention() {}

    /**
     * Computes attention.
     *
     * @param q queries {@code [batch, heads, seq, dim]}
     * @param k keys {@code [batch, kvHeads, total, dim]}
     * @param v values {@code [batch, kvHeads, total, dim]}
     * @param bias additive mask {@code [batch or 1, 1, seq, total]}
     * @param scale multiplies the scores
     * @return {@code [batch, heads, seq, dim]}
     */
    public static NDArray compute(NDArray q, NDArray k, NDArray v, NDArray bias, double scale) {
        Shape qs = q.getShape();
        long batch = qs.get(0);
        long heads = qs.get(1);
        long seq = qs.get(2);
        long dim = qs.get(3);
        long kvHeads = k.getShape().get(1);
        long groups = heads / kvHeads;
        NDArray q5 = q.reshape(batch, kvHeads, groups, seq, dim);
        NDArray k5 = k.expandDims(2);
        NDArray v5 = v.expandDims(2);
        NDArray scores = q5.matMul(k5.swapAxes(3, 4)).mul(Scalars.like(q, scale));
        scores = scores.add(bias.expandDims(1));
        // Softmax in F32 as transformers does for half types; a no-op for F32.
        NDArray probs =
                DifferentiableCast.to(
                        DifferentiableCast.to(scores, DataType.FLOAT32).softmax(-1),
                        q.getDataType());
        return probs.matMul(v5).reshape(batch, heads, seq, dim);
    }
}
