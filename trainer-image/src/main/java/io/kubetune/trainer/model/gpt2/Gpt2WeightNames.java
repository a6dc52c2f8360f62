package io.kubetune.trainer.model.gpt2;

import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.model.layers.LayerNormLayer;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's Hugging Face tensor names. {@code GPT2LMHeadModel} saves them under {@code transformer.};
 * {@code GPT2Model} checkpoints (such as the original gpt2) without it, so both are tried. Conv1D
 * weights are stored {@code [in, out]} and are transposed; {@code c_attn} holds q, k and v in that
 * order along {@code out}.
 */
final class Gpt2WeightNames {

    private static final String PREFIX = "transformer.";

    private Gpt2WeightNames() {}

    static List<WeightBinding> bindings(Gpt2Model model) {
        List<WeightBinding> out = new ArrayList<>();
        out.add(bind(model.tokens().weight(), "wte.weight", WeightLayout.AS_IS));
        out.add(bind(model.positions().weight(), "wpe.weight", WeightLayout.AS_IS));
        long width = model.config().width();
        for (int i = 0; i < model.layers().size(); i++) {
            Gpt2Layer layer = model.layers().get(i);
            String p = "h." + i + ".";
            norm(out, layer.norm1(), p + "ln_1");
            Gpt2Attention attn = layer.attention();
            LinearLayer[] qkv = {attn.query(), attn.key(), attn.value()};
            for (int part = 0; part < 3; part++) {
                WeightLayout rows = WeightLayout.TRANSPOSED.rows(part * width, (part + 1) * width);
                WeightLayout biasRows = WeightLayout.AS_IS.rows(part * width, (part + 1) * width);
                out.add(bind(qkv[part].weight(), p + "attn.c_attn.weight", rows));
                out.add(bind(qkv[part].bias(), p + "attn.c_attn.bias", biasRows));
            }
            conv1d(out, attn.output(), p + "attn.c_proj");
            norm(out, layer.norm2(), p + "ln_2");
            conv1d(out, layer.mlp().up(), p + "mlp.c_fc");
            conv1d(out, layer.mlp().down(), p + "mlp.c_proj");
        }
        norm(out, model.finalNorm(), "ln_f");
        return out;
    }

    private static void norm(List<WeightBinding> out, LayerNormLayer norm, String name) {
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
