package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.trainer.model.DecoderLm;
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

    /** Output heads, which all-linear leaves out as PEFT does (a score head is trained whole). */
    private static final java.util.Set<String> OUTPUT_HEADS = java.util.Set.of("lm_head", "score");

    private LoraInjector() {}

    public static List<LoraTarget> inject(
            DecoderLm model, LoraSpec spec, DataType type, NDManager manager) {
        Map<String, LinearModules.Module> modules = LinearModules.of(model);
        double scaling = LoraAdapter.scaling(spec.alpha, spec.r, Boolean.TRUE.equals(spec.rslora));
        float dropout = Float.parseFloat(spec.dropout);
        List<LoraTarget> targets = new ArrayList<>();
        for (LinearModules.Module module : modules.values()) {
            if (selected(module.path(), spec.targetModules)) {
                LoraAdapter adapter =
                        LoraAdapter.initialised(
                                module.inFeatures(),
                                module.outFeatures(),
                                spec.r,
                                scaling,
                                dropout,
                                type,
                                manager);
                Parameter magnitude =
                        Boolean.TRUE.equals(spec.dora)
                                ? DoraAdapter.initialMagnitude(module, adapter, type, manager)
                                : null;
                targets.addAll(LinearModules.attach(module, adapter, magnitude));
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException(
                    "method.lora.targetModules "
                            + spec.targetModules
                            + " matches no linear layer of this "
                            + model.family()
                            + " model; pick from "
                            + moduleNames(modules.keySet())
                            + " or all-linear");
        }
        freezeAllBut(model, targets);
        return targets;
    }

    /** PEFT matches a name against the end of the module path. */
    private static boolean selected(String path, List<String> targetModules) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (targetModules.contains(ALL_LINEAR)) {
            return !OUTPUT_HEADS.contains(name);
        }
        return targetModules.stream().anyMatch(t -> path.equals(t) || path.endsWith("." + t));
    }

    static void freezeAllBut(DecoderLm model, List<LoraTarget> targets) {
        for (Pair<String, Parameter> parameter : model.getParameters()) {
            parameter.getValue().freeze(true);
        }
        for (Parameter p : trainableParameters(targets)) {
            p.freeze(false);
        }
    }

    private static String moduleNames(java.util.Set<String> paths) {
        TreeSet<String> names = new TreeSet<>();
        paths.forEach(path -> names.add(path.substring(path.lastIndexOf('.') + 1)));
        return names.toString();
    }

    /**
     * The adapters' weights, A then B (then DoRA's magnitude) for each target: what the optimizer
     * updates.
     */
    public static List<Parameter> trainableParameters(List<LoraTarget> targets) {
        // The parts of a fused module share one A and one B.
        java.util.Set<Parameter> parameters =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Parameter> ordered = new ArrayList<>();
        for (LoraTarget target : targets) {
            List<Parameter> own =
                    new ArrayList<>(List.of(target.adapter().a(), target.adapter().b()));
            if (target.magnitude() != null) {
                own.add(target.magnitude());
            }
            for (Parameter p : own) {
                if (parameters.add(p)) {
                    ordered.add(p);
                }
            }
        }
        return ordered;
    }
}
