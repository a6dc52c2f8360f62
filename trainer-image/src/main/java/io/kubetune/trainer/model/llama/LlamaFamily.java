package io.kubetune.trainer.model.llama;

import io.kubetune.trainer.model.DecoderFamily;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.decoder.AttentionSpec;
import io.kubetune.trainer.model.decoder.CausalSelfAttention;
import io.kubetune.trainer.model.decoder.DecoderConfig;
import io.kubetune.trainer.model.decoder.DecoderLayer;
import io.kubetune.trainer.model.decoder.FeedForward;
import io.kubetune.trainer.model.decoder.FeedForwardSpec;
import io.kubetune.trainer.model.decoder.NormSpec;
import io.kubetune.trainer.model.decoder.PositionSpec;
import io.kubetune.trainer.model.decoder.RopeParameters;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.layers.Activation;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama ({@code LlamaForCausalLM}, {@code LlamaForSequenceClassification}) and the families of its
 * shape, which differ only in their config: Qwen2 (q, k and v biases) and Mistral (sliding window).
 * RoPE, RMSNorm, SwiGLU, grouped-query attention; tensors under {@code model.}.
 */
public final class LlamaFamily implements DecoderFamily {

    @Override
    public DecoderConfig config(HfConfig c) {
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
        int headDim = c.optInt("head_dim", hidden / heads);
        boolean attentionBias = c.optBoolean("attention_bias", false);
        boolean qwen2 = family.equals("qwen2");
        AttentionSpec attention =
                new AttentionSpec(
                        heads,
                        kvHeads,
                        headDim,
                        qwen2 || attentionBias,
                        !qwen2 && attentionBias,
                        slidingWindow(c, family),
                        false);
        Activation activation =
                Activation.parse(
                        c.optString("hidden_act").orElse("silu"), c.source() + ": hidden_act");
        FeedForwardSpec feedForward =
                new FeedForwardSpec(
                        c.getInt("intermediate_size"),
                        activation,
                        true,
                        c.optBoolean("mlp_bias", false));
        return new DecoderConfig(
                family,
                c.getInt("vocab_size"),
                hidden,
                c.getInt("num_hidden_layers"),
                attention,
                feedForward,
                new NormSpec(NormSpec.Kind.RMS_NORM, c.optDouble("rms_norm_eps", 1e-6)),
                new PositionSpec.Rotary(RopeParameters.from(c, headDim)),
                c.optBoolean("tie_word_embeddings", false),
                DecoderFamily.padTokenId(c),
                c.optDouble("initializer_range", 0.02));
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

    @Override
    public List<WeightBinding> bodyBindings(DecoderLm model) {
        List<WeightBinding> out = new ArrayList<>();
        out.add(WeightBinding.of(model.tokens().weight(), "model.embed_tokens.weight"));
        for (int i = 0; i < model.layers().size(); i++) {
            DecoderLayer layer = model.layers().get(i);
            String p = "model.layers." + i + ".";
            out.add(WeightBinding.of(layer.attentionNorm().weight(), p + "input_layernorm.weight"));
            CausalSelfAttention attn = layer.attention();
            linear(out, attn.query(), p + "self_attn.q_proj");
            linear(out, attn.key(), p + "self_attn.k_proj");
            linear(out, attn.value(), p + "self_attn.v_proj");
            linear(out, attn.output(), p + "self_attn.o_proj");
            out.add(
                    WeightBinding.of(
                            layer.feedForwardNorm().weight(),
                            p + "post_attention_layernorm.weight"));
            FeedForward mlp = layer.feedForward();
            linear(out, mlp.gate(), p + "mlp.gate_proj");
            linear(out, mlp.up(), p + "mlp.up_proj");
            linear(out, mlp.down(), p + "mlp.down_proj");
        }
        out.add(WeightBinding.of(model.finalNorm().weight(), "model.norm.weight"));
        return out;
    }

    private static void linear(List<WeightBinding> out, LinearLayer linear, String name) {
        out.add(WeightBinding.of(linear.weight(), name + ".weight"));
        if (linear.bias() != null) {
            out.add(WeightBinding.of(linear.bias(), name + ".bias"));
        }
    }
}
