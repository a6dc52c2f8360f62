package io.kubetune.trainer.model.llama;

import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.ArrayList;
import java.util.List;

/** The Hugging Face tensor names of {@code LlamaForCausalLM}, shared by Qwen2 and Mistral. */
final class LlamaWeightNames {

    private LlamaWeightNames() {}

    static List<WeightBinding> bindings(LlamaModel model) {
        List<WeightBinding> out = new ArrayList<>();
        out.add(WeightBinding.of(model.tokens().weight(), "model.embed_tokens.weight"));
        for (int i = 0; i < model.layers().size(); i++) {
            LlamaLayer layer = model.layers().get(i);
            String p = "model.layers." + i + ".";
            out.add(WeightBinding.of(layer.inputNorm().weight(), p + "input_layernorm.weight"));
            LlamaAttention attn = layer.attention();
            linear(out, attn.query(), p + "self_attn.q_proj");
            linear(out, attn.key(), p + "self_attn.k_proj");
            linear(out, attn.value(), p + "self_attn.v_proj");
            linear(out, attn.output(), p + "self_attn.o_proj");
            out.add(
                    WeightBinding.of(
                            layer.postAttentionNorm().weight(),
                            p + "post_attention_layernorm.weight"));
            linear(out, layer.mlp().gate(), p + "mlp.gate_proj");
            linear(out, layer.mlp().up(), p + "mlp.up_proj");
            linear(out, layer.mlp().down(), p + "mlp.down_proj");
        }
        out.add(WeightBinding.of(model.finalNorm().weight(), "model.norm.weight"));
        if (model.lmHead() != null) {
            out.add(WeightBinding.of(model.lmHead().weight(), "lm_head.weight"));
        }
        return out;
    }

    private static void linear(List<WeightBinding> out, LinearLayer linear, String name) {
        out.add(WeightBinding.of(linear.weight(), name + ".weight"));
        if (linear.bias() != null) {
            out.add(WeightBinding.of(linear.bias(), name + ".bias"));
        }
    }
}
