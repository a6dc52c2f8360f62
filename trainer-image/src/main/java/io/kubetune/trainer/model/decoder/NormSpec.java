package io.kubetune.trainer.model.decoder;

import io.kubetune.trainer.model.layers.LayerNormLayer;
import io.kubetune.trainer.model.layers.Norm;
import io.kubetune.trainer.model.layers.RmsNorm;

/**
 * Which normalization a decoder uses, before attention, before the feed-forward and at the end.
 *
 * @param kind LayerNorm or RMSNorm
 * @param eps added to the variance
 */
public record NormSpec(Kind kind, double eps) {

    /** The normalizations families use. */
    public enum Kind {
        /** {@code torch.nn.LayerNorm} with weight and bias (GPT-2). */
        LAYER_NORM,
        /** RMSNorm in F32 with a weight (Llama, Qwen2, Mistral). */
        RMS_NORM
    }

    /** Creates a norm over the last axis of width {@code width}. */
    public Norm create(long width) {
        return kind == Kind.LAYER_NORM ? new LayerNormLayer(width, eps) : new RmsNorm(width, eps);
    }
}
