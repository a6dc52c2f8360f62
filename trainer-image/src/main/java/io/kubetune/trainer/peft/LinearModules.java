package io.kubetune.trainer.peft;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's linear modules under their Hugging Face module paths, as PEFT sees them: a module
 * whose checkpoint tensor feeds several of our layers (GPT-2's c_attn: q, k and v) is one module
 * made of parts.
 */
final class LinearModules {
    /** One of our layers and the output rows of the module's tensor it holds. */
    record Part(LinearLayer layer, long rowStart, long rowEnd) {}

    /** A module: one part, or several cut out of a fused tensor. */
    record Module(String path, List<Part> parts) {
        boolean fused() {
            return parts.size() > 1;
        }

        long inFeatures() {
            return parts.get(0).layer().inFeatures();
        }

        long outFeatures() {
            return parts.stream().mapToLong(Part::rowEnd).max().orElseThrow();
        }
    }

    private LinearModules() {}

    static Map<String, Module> of(DecoderLm model) {
        Map<Parameter, LinearLayer> byWeight = new IdentityHashMap<>();
        collect(model, byWeight);
        Map<String, List<Part>> parts = new LinkedHashMap<>();
        for (WeightBinding binding : model.weightBindings()) {
            LinearLayer layer = byWeight.get(binding.parameter());
            if (layer == null || !binding.name().endsWith(".weight")) {
                continue;
            }
            String path = binding.name().substring(0, binding.name().length() - ".weight".length());
            long start = binding.layout().rowEnd() >= 0 ? binding.layout().rowStart() : 0;
            long end =
                    binding.layout().rowEnd() >= 0
                            ? binding.layout().rowEnd()
                            : layer.outFeatures();
            parts.computeIfAbsent(path, p -> new ArrayList<>()).add(new Part(layer, start, end));
        }
        Map<String, Module> modules = new LinkedHashMap<>();
        parts.forEach((path, list) -> modules.put(path, new Module(path, List.copyOf(list))));
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

    /** Attaches an adapter of the module's full shape: each part gets its rows of B. */
    static List<LoraTarget> attach(Module module, LoraAdapter adapter) {
        return attach(module, adapter, null);
    }

    /**
     * Attaches a LoRA adapter of the module's full shape, as DoRA when {@code magnitude} (the
     * module's whole vector) is given: each part gets its rows of B and of the magnitude.
     */
    static List<LoraTarget> attach(Module module, LoraAdapter adapter, Parameter magnitude) {
        List<LoraTarget> targets = new ArrayList<>();
        for (Part part : module.parts()) {
            LoraAdapter view =
                    module.fused() ? adapter.rows(part.rowStart(), part.rowEnd()) : adapter;
            DoraAdapter dora = magnitude == null ? null : new DoraAdapter(view, magnitude);
            LoraTarget target = new LoraTarget(module.path(), part.layer(), view, dora);
            part.layer().attach(target.attached());
            targets.add(target);
        }
        return targets;
    }
}
