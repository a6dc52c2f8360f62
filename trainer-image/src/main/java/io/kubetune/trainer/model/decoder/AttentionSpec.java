package io.kubetune.trainer.model.decoder;

/**
 * The shape of a layer's self-attention.
 *
 * @param heads query heads
 * @param kvHeads key and value heads (fewer than {@code heads}: grouped-query attention)
 * @param headDim width of one head
 * @param qkvBias whether the q, k and v projections add a bias
 * @param outputBias whether the output projection adds a bias
 * @param slidingWindow how many keys back a query sees, or 0 for all
 * @param scaleByLayer whether scores are further divided by {@code layer + 1} (GPT-2's {@code
 *     scale_attn_by_inverse_layer_idx})
 */
public record AttentionSpec(
        int heads,
        int kvHeads,
        int headDim,
        boolean qkvBias,
        boolean outputBias,
        int slidingWindow,
        boolean scaleByLayer) {

    /** Returns the factor the scores of layer {@code layer} are multiplied by. */
    public double scale(int layer) {
        double s = 1.0 / Math.sqrt(headDim);
        return scaleByLayer ? s / (layer + 1) : s;
    }
}
