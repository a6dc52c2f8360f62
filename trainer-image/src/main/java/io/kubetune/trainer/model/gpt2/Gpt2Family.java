package io.kubetune.trainer.model.gpt2;

import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.DecoderFamily;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.decoder.AttentionSpec;
import io.kubetune.trainer.model.decoder.CausalSelfAttention;
import io.kubetune.trainer.model.decoder.DecoderConfig;
import io.kubetune.trainer.model.decoder.DecoderLayer;
import io.kubetune.trainer.model.decoder.FeedForwardSpec;
import io.kubetune.trainer.model.decoder.LearnedPositions;
import io.kubetune.trainer.model.decoder.NormSpec;
import io.kubetune.trainer.model.decoder.PositionSpec;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.model.layers.Activation;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.Norm;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2 ({@code GPT2LMHeadModel}, {@code GPT2ForSequenceClassification}): learned positions,
 * LayerNorm, a GELU MLP, q, k and v fused in one {@code c_attn}, transformers' defaults.
 *
 * <p>Tensor names: {@code GPT2LMHeadModel} saves them under {@code transformer.}, {@code GPT2Model}
 * checkpoints (such as the original gpt2) without it, so both are tried. Conv1D weights are stored
 * {@code [in, out]} and are transposed; {@code c_attn} holds q, k and v in that order along {@code
 * out}.
 */
public final class Gpt2Family implements DecoderFamily {

    private static final String PREFIX = "transformer.";

    @Override
    public DecoderConfig config(HfConfig c) {
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
        AttentionSpec attention =
                new AttentionSpec(
                        heads,
                        heads,
                        width / heads,
                        true,
                        true,
                        0,
                        c.optBoolean("scale_attn_by_inverse_layer_idx", false));
        Activation activation =
                Activation.parse(
                        c.optString("activation_function").orElse("gelu_new"),
                        c.source() + ": activation_function");
        return new DecoderConfig(
                "gpt2",
                c.optInt("vocab_size", 50257),
                width,
                c.optInt("n_layer", 12),
                attention,
                new FeedForwardSpec(c.optInt("n_inner", 4 * width), activation, false, true),
                new NormSpec(NormSpec.Kind.LAYER_NORM, c.optDouble("layer_norm_epsilon", 1e-5)),
                new PositionSpec.Learned(c.optInt("n_positions", 1024)),
                c.optBoolean("tie_word_embeddings", true),
                DecoderFamily.padTokenId(c),
                c.optDouble("initializer_range", 0.02));
    }

    @Override
    public List<WeightBinding> bodyBindings(DecoderLm model) {
        List<WeightBinding> out = new ArrayList<>();
        out.add(bind(model.tokens().weight(), "wte.weight", WeightLayout.AS_IS));
        LearnedPositions positions = (LearnedPositions) model.positions();
        out.add(bind(positions.weight(), "wpe.weight", WeightLayout.AS_IS));
        long width = model.hiddenSize();
        for (int i = 0; i < model.layers().size(); i++) {
            DecoderLayer layer = model.layers().get(i);
            String p = "h." + i + ".";
            norm(out, layer.attentionNorm(), p + "ln_1");
            CausalSelfAttention attn = layer.attention();
            LinearLayer[] qkv = {attn.query(), attn.key(), attn.value()};
            for (int part = 0; part < 3; part++) {
                WeightLayout rows = WeightLayout.TRANSPOSED.rows(part * width, (part + 1) * width);
                WeightLayout biasRows = WeightLayout.AS_IS.rows(part * width, (part + 1) * width);
                out.add(bind(qkv[part].weight(), p + "attn.c_attn.weight", rows));
                out.add(bind(qkv[part].bias(), p + "attn.c_attn.bias", biasRows));
            }
            conv1d(out, attn.output(), p + "attn.c_proj");
            norm(out, layer.feedForwardNorm(), p + "ln_2");
            conv1d(out, layer.feedForward().up(), p + "mlp.c_fc");
            conv1d(out, layer.feedForward().down(), p + "mlp.c_proj");
        }
        norm(out, model.finalNorm(), "ln_f");
        return out;
    }

    private static void norm(List<WeightBinding> out, Norm norm, String name) {
        out.add(bind(norm.weight(), name + ".weight", WeightLayout.AS_IS));
        out.add(bind(norm.bias(), name + ".bias", WeightLayout.AS_IS));
    }

    private static void conv1d(List<WeightBinding> out, LinearLayer linear, String name) {
        out.add(bind(linear.weight(), name + ".weight", WeightLayout.TRANSPOSED));
        out.add(bind(linear.bias(), name + ".bias", WeightLayout.AS_IS));
    }

    private static WeightBinding bind(Parameter parameter, String name, WeightLayout layout) {
        return new WeightBinding(parameter, List.of(PREFIX + name, name), layout);
    }
}
