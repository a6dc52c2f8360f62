package io.kubetune.trainer.peft;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The model's linear layers under their Hugging Face module paths. */
final class LinearModules {
    private LinearModules() {}

    /**
     * Layers whose weight is one whole checkpoint tensor, by module path. Layers cut out of a fused
     * tensor (GPT-2's c_attn) are listed under {@code fused} instead.
     */
    static Map<String, LinearLayer> of(CausalLm model, List<String> fused) {
        Map<Parameter, LinearLayer> byWeight = new IdentityHashMap<>();
        collect(model, byWeight);
        Map<String, LinearLayer> modules = new LinkedHashMap<>();
        for (WeightBinding binding : model.weightBindings()) {
            LinearLayer layer = byWeight.get(binding.parameter());
            if (layer == null || !binding.name().endsWith(".weight")) {
                continue;
            }
            String path = binding.name().substring(0, binding.name().length() - ".weight".length());
            if (binding.layout().rowEnd() >= 0) {
                fused.add(path);
            } else {
                modules.put(path, layer);
            }
        }
        return modules;
    }

    private static void collect(Block block, Map<Parameter, LinearLayer> out) {
        if (block instanceof LinearLayer linear) {
            out.put(linear.weight(), linear);
        }
        for (Block child : block.getChildren().values()) {
            collect(child, out);
        }
    }

    static List<String> names(Map<String, LinearLayer> modules) {
        return new ArrayList<>(modules.keySet());
    }
}
