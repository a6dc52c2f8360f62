package io.kubetune.trainer.train;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.FreezeSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.peft.LoraTarget;
import io.kubetune.trainer.peft.PeftMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The weights a method trains, by names stable across runs (PEFT names for adapters, Hugging Face
 * names for model weights), with everything else frozen.
 */
public final class TrainableWeights {
    private static final Pattern LAYER = Pattern.compile("\\.(?:layers|h)\\.(\\d+)\\.");

    private TrainableWeights() {}

    /**
     * The weights a job's method trains, made ready: a PEFT method's adapters put on the model, or
     * the model's own weights chosen and the rest frozen.
     *
     * @param trainable by stable names, what the optimizer and checkpoints see
     * @param adapters the PEFT adapters, or null under full and freeze fine-tuning
     */
    public record Prepared(Map<String, Parameter> trainable, Adapters adapters) {}

    /**
     * Applies {@code method} (null or partly set: the CRD's defaults) to the model. Adapters are
     * fp32 whatever the model's precision, as PEFT's {@code autocast_adapter_dtype}: small updates
     * are not rounded away in half precision, and loss scaling unscales fp32 gradients.
     */
    public static Prepared prepare(MethodSpec method, PretrainedModel model) {
        return prepare(method, model, null);
    }

    /**
     * As {@link #prepare(MethodSpec, PretrainedModel)}, with the tokenizer's ids of a text for
     * prompt tuning's text init (null when there is no tokenizer at hand).
     */
    public static Prepared prepare(
            MethodSpec method, PretrainedModel model, Function<String, long[]> textTokens) {
        MethodSpec settings = method == null ? new MethodSpec() : method;
        Optional<PeftMethod> peft = PeftMethod.of(settings.type, textTokens);
        if (peft.isPresent()) {
            Adapters adapters =
                    peft.get().inject(model.block(), settings, DataType.FLOAT32, model.manager());
            return new Prepared(withScoreHead(adapters.trainable(), model), adapters);
        }
        return new Prepared(of(settings, model.block(), List.of()), null);
    }

    /** A reward model's score head is trained beside the adapters, as PEFT's modules_to_save. */
    private static Map<String, Parameter> withScoreHead(
            Map<String, Parameter> adapters, PretrainedModel model) {
        if (model.block().scoreHead() == null) {
            return adapters;
        }
        Parameter score = model.block().scoreHead().weight();
        score.freeze(false);
        Map<String, Parameter> trainable = new LinkedHashMap<>(adapters);
        trainable.put(io.kubetune.trainer.model.DecoderLm.SCORE_WEIGHT, score);
        return trainable;
    }

    public static Map<String, Parameter> of(
            MethodSpec method, DecoderLm model, List<LoraTarget> loraTargets) {
        if (method.type == MethodType.LORA) {
            return new LoraAdapters(loraTargets, null, false).trainable();
        }
        Map<String, Parameter> named = new LinkedHashMap<>();
        int trainableLayers =
                method.freeze == null
                        ? new FreezeSpec().trainableLayers
                        : method.freeze.trainableLayers;
        int firstTrained =
                method.type == MethodType.FREEZE ? model.numLayers() - trainableLayers : 0;
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
