package io.kubetune.trainer.train;

import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.peft.LoraTarget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The weights a method trains, by names stable across runs (PEFT names for adapters, Hugging Face
 * names for model weights), with everything else frozen.
 */
public final class TrainableWeights {
    private static final Pattern LAYER = Pattern.compile("\\.(?:layers|h)\\.(\\d+)\\.");

    private TrainableWeights() {}

    public static Map<String, Parameter> of(
            MethodSpec method, DecoderLm model, List<LoraTarget> loraTargets) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        if (method.type == MethodType.LORA) {
            for (LoraTarget t : loraTargets) {
                named.put("base_model.model." + t.modulePath() + ".lora_A.weight", t.adapter().a());
                named.put("base_model.model." + t.modulePath() + ".lora_B.weight", t.adapter().b());
            }
            return named;
        }
        int firstTrained =
                method.type == MethodType.FREEZE
                        ? model.numLayers() - method.freeze.trainableLayers
                        : 0;
        for (WeightBinding binding : model.weightBindings()) {
            Parameter parameter = binding.parameter();
            boolean trained =
                    method.type == MethodType.FULL || layerOf(binding.name()) >= firstTrained;
            parameter.freeze(!trained);
            if (trained && !named.containsValue(parameter)) {
                // Fused tensors (GPT-2's c_attn) feed several parameters: name each by its rows.
                String name =
                        binding.layout().rowEnd() >= 0
                                ? binding.name() + "#" + binding.layout().rowStart()
                                : binding.name();
                named.put(name, parameter);
            }
        }
        return named;
    }

    private static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
