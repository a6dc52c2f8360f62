package io.kubetune.trainer.model.llama;

import io.kubetune.trainer.model.io.HfConfig;

/**
 * The parts of a Llama-shaped {@code config.json} the model needs. Qwen2 and Mistral are read into
 * the same record with their own defaults and flags.
 *
 * @param family {@code model_type}: llama, qwen2 or mistral
 * @param vocabSize {@code vocab_size}
 * @param hidden {@code hidden_size}
 * @param intermediate {@code intermediate_size}
 * @param layers {@code num_hidden_layers}
 * @param heads {@code num_attention_heads}
 * @param kvHeads {@code num_key_value_heads} (grouped-query attention)
 * @param headDim {@code head_dim}, or hidden / heads
 * @param rmsNormEps {@code rms_norm_eps}
 * @param rope rotary embedding parameters
 * @param tieEmbeddings {@code tie_word_embeddings}
 * @param qkvBias whether q, k and v projections have a bias (Qwen2; Llama's attention_bias)
 * @param outputBias whether the attention output projection has a bias (Llama's attention_bias)
 * @param mlpBias {@code mlp_bias}
 * @param slidingWindow how many keys back a query sees, or 0 for all (Mistral)
 */
public record LlamaConfig(
        String family,
        int vocabSize,
        int hidden,
        int intermediate,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        double rmsNormEps,
        RopeParameters rope,
        boolean tieEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        int slidingWindow) {

    /** Reads a llama, qwen2 or mistral config. */
    public static LlamaConfig from(HfConfig c) {
        String family = c.modelType();
        int hidden = c.getInt("hidden_size");
        int heads = c.getInt("num_attention_heads");
        int kvHeads = c.optInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(
                    c.source()
                            + ": num_attention_heads "
                            + heads
                            + " is not a multiple of num_key_value_heads "
                            + kvHeads);
        }
        String act = c.optString("hidden_act").orElse("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(
                    c.source() + ": hidden_act '" + act + "' is not supported; supported: silu");
        }
        int headDim = c.optInt("head_dim", hidden / heads);
        boolean attentionBias = c.optBoolean("attention_bias", false);
        boolean qwen2 = family.equals("qwen2");
        return new LlamaConfig(
                family,
                c.getInt("vocab_size"),
                hidden,
                c.getInt("intermediate_size"),
                c.getInt("num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                c.optDouble("rms_norm_eps", 1e-6),
                RopeParameters.from(c, headDim),
                c.optBoolean("tie_word_embeddings", false),
                qwen2 || attentionBias,
                !qwen2 && attentionBias,
                c.optBoolean("mlp_bias", false),
                slidingWindow(c, family));
    }

    private static int slidingWindow(HfConfig c, String family) {
        if (family.equals("mistral")) {
            return c.optInt("sliding_window", 0);
        }
        if (family.equals("qwen2") && c.optBoolean("use_sliding_window", false)) {
            throw new IllegalArgumentException(
                    c.source() + ": use_sliding_window=true is not supported for qwen2 yet");
        }
        return 0;
    }
}
