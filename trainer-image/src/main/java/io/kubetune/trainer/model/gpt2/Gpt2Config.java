package io.kubetune.trainer.model.gpt2;

import io.kubetune.trainer.model.io.HfConfig;

/**
 * The parts of a GPT-2 {@code config.json} the model needs, with transformers' defaults.
 *
 * @param vocabSize {@code vocab_size}
 * @param positions {@code n_positions}
 * @param width {@code n_embd}
 * @param layers {@code n_layer}
 * @param heads {@code n_head}
 * @param inner {@code n_inner}, or 4 x width when null
 * @param layerNormEps {@code layer_norm_epsilon}
 * @param activation {@code activation_function}
 * @param scaleByLayer {@code scale_attn_by_inverse_layer_idx}
 */
public record Gpt2Config(
        int vocabSize,
        int positions,
        int width,
        int layers,
        int heads,
        int inner,
        double layerNormEps,
        Gpt2Activation activation,
        boolean scaleByLayer) {

    /** Reads a GPT-2 config. */
    public static Gpt2Config from(HfConfig c) {
        int width = c.optInt("n_embd", 768);
        int heads = c.optInt("n_head", 12);
        if (width % heads != 0) {
            throw new IllegalArgumentException(
                    c.source() + ": n_embd " + width + " is not a multiple of n_head " + heads);
        }
        if (c.optBoolean("reorder_and_upcast_attn", false)) {
            throw new IllegalArgumentException(
                    c.source() + ": reorder_and_upcast_attn=true is not supported; set it false");
        }
        if (!c.optBoolean("scale_attn_weights", true)) {
            throw new IllegalArgumentException(
                    c.source() + ": scale_attn_weights=false is not supported; set it true");
        }
        return new Gpt2Config(
                c.optInt("vocab_size", 50257),
                c.optInt("n_positions", 1024),
                width,
                c.optInt("n_layer", 12),
                heads,
                c.optInt("n_inner", 4 * width),
                c.optDouble("layer_norm_epsilon", 1e-5),
                Gpt2Activation.parse(c.optString("activation_function").orElse("gelu_new")),
                c.optBoolean("scale_attn_by_inverse_layer_idx", false));
    }

    /** Returns the width of one attention head. */
    public int headDim() {
        return width / heads;
    }
}
