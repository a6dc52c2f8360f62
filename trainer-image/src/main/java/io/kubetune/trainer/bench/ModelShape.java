package io.kubetune.trainer.bench;

import io.kubetune.trainer.model.io.HfConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The size of a model to build with random weights, written out as the {@code config.json} a
 * checkpoint of that shape would have, so random models go through the same code as loaded ones.
 *
 * @param arch {@code gpt2}, {@code llama} or {@code qwen2}
 * @param layers decoder layers
 * @param hidden model width
 * @param heads attention heads
 * @param kvHeads key/value heads (llama; equal to heads for gpt2)
 * @param intermediate feed-forward width
 * @param vocab vocabulary size
 * @param positions longest sequence (gpt2's learned positions)
 */
public record ModelShape(
        String arch,
        int layers,
        int hidden,
        int heads,
        int kvHeads,
        int intermediate,
        int vocab,
        int positions) {

    /**
     * Returns a named size.
     *
     * @param arch {@code gpt2}, {@code llama} or {@code qwen2}
     * @param preset {@code tiny}, {@code gpt2-small} (124M), {@code llama-100m} or {@code
     *     qwen2.5-0.5b} (its real 151,936-token vocabulary)
     * @return the shape
     */
    public static ModelShape preset(String arch, String preset) {
        String a = arch.toLowerCase(Locale.ROOT);
        if (!a.equals("gpt2") && !a.equals("llama") && !a.equals("qwen2")) {
            throw new IllegalArgumentException(
                    "arch '" + arch + "' is not one of gpt2, llama, qwen2");
        }
        boolean gpt2 = a.equals("gpt2");
        return switch (preset) {
            case "tiny" -> new ModelShape(a, 2, 64, 4, gpt2 ? 4 : 2, gpt2 ? 256 : 128, 512, 256);
            case "gpt2-small" -> new ModelShape(a, 12, 768, 12, 12, 3072, 50257, 1024);
            case "llama-100m" -> new ModelShape(a, 12, 768, 12, gpt2 ? 12 : 4, 2048, 32000, 1024);
            case "qwen2.5-0.5b" ->
                    new ModelShape(a, 24, 896, 14, gpt2 ? 14 : 2, 4864, 151936, 32768);
            default ->
                    throw new IllegalArgumentException(
                            "preset '"
                                    + preset
                                    + "' is not one of tiny, gpt2-small, llama-100m, qwen2.5-0.5b");
        };
    }

    /** Returns the preset a family is benchmarked with when none is named. */
    public static String defaultPreset(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "llama" -> "llama-100m";
            case "qwen2" -> "qwen2.5-0.5b";
            default -> "gpt2-small";
        };
    }

    /** Returns the config.json of this shape. */
    public HfConfig toConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", arch);
        c.put("vocab_size", vocab);
        if (arch.equals("gpt2")) {
            c.put("n_layer", layers);
            c.put("n_embd", hidden);
            c.put("n_head", heads);
            c.put("n_inner", intermediate);
            c.put("n_positions", positions);
        } else {
            c.put("num_hidden_layers", layers);
            c.put("hidden_size", hidden);
            c.put("num_attention_heads", heads);
            c.put("num_key_value_heads", kvHeads);
            c.put("intermediate_size", intermediate);
            c.put("max_position_embeddings", positions);
            c.put("rms_norm_eps", 1e-5);
            c.put("rope_theta", arch.equals("qwen2") ? 1000000.0 : 10000.0);
            c.put("tie_word_embeddings", true);
        }
        return HfConfig.of(c, arch + " " + this);
    }
}
