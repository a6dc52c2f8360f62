package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Puts LoRA adapters on the layers a {@link LoraSpec} names and freezes everything else, so the
 * base weights stay bit-identical through training.
 */
public final class LoraInjector {
    /** PEFT's keyword for every linear layer but the output head. */
    public static final String ALL_LINEAR = "all-linear";

    private static final String OUTPUT_HEAD = "lm_head";

    private LoraInjector() {}

    public static List<LoraTarget> inject(
            CausalLm model, LoraSpec spec, DataType type, NDManager manager) {
        List<String> fused = new ArrayList<>();
        Map<String, LinearLayer> modules = LinearModules.of(model, fused);
        double scaling = LoraAdapter.scaling(spec.alpha, spec.r, Boolean.TRUE.equals(spec.rslora));
        float dropout = Float.parseFloat(spec.dropout);
        List<LoraTarget> targets = new ArrayList<>();
        for (Map.Entry<String, LinearLayer> module : modules.entrySet()) {
            if (selected(module.getKey(), spec.targetModules)) {
                LinearLayer layer = module.getValue();
                LoraAdapter adapter =
                        LoraAdapter.initialised(
                                layer.inFeatures(),
                                layer.outFeatures(),
                                spec.r,
                                scaling,
                                dropout,
                                type,
                                manager);
                layer.attach(adapter);
                targets.add(new LoraTarget(module.getKey(), layer, adapter));
            }
        }
        List<String> fusedAsked =
                fused.stream()
                        .filter(
                                path ->
                                        selected(path, spec.targetModules)
                                                && !spec.targetModules.contains(ALL_LINEAR))
                        .toList();
        if (!fusedAsked.isEmpty()) {
            throw new IllegalArgumentException(
                    "method.lora.targetModules names "
                            + fusedAsked.get(0)
                            + ", a fused layer this trainer cannot adapt yet; pick from "
                            + moduleNames(modules));
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException(
                    "method.lora.targetModules "
                            + spec.targetModules
                            + " matches no linear layer of this "
                            + model.family()
                            + " model; pick from "
                            + moduleNames(modules)
                            + " or all-linear");
        }
        freezeAllBut(model, targets);
        return targets;
    }

    /** PEFT matches a name against the end of the module path. */
    private static boolean selected(String path, List<String> targetModules) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (targetModules.contains(ALL_LINEAR)) {
            return !name.equals(OUTPUT_HEAD);
        }
        return targetModules.stream().anyMatch(t -> path.equals(t) || path.endsWith("." + t));
    }

    static void freezeAllBut(CausalLm model, List<LoraTarget> targets) {
        for (Pair<String, Parameter> parameter : model.getParameters()) {
            parameter.getValue().freeze(true);
        }
        for (LoraTarget target : targets) {
            target.adapter().a().freeze(false);
            target.adapter().b().freeze(false);
        }
    }

    private static String moduleNames(Map<String, LinearLayer> modules) {
        TreeSet<String> names = new TreeSet<>();
        modules.keySet().forEach(path -> names.add(path.substring(path.lastIndexOf('.') + 1)));
        return names.toString();
    }

    /** The adapters' weights, A then B for each target: what the optimizer updates. */
    public static List<Parameter> trainableParameters(List<LoraTarget> targets) {
        List<Parameter> parameters = new ArrayList<>();
        for (LoraTarget target : targets) {
            parameters.add(target.adapter().a());
            parameters.add(target.adapter().b());
        }
        return parameters;
    }
}
