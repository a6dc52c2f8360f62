package io.kubetune.trainer.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonElement;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.weights.DenseWeight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as a Hugging Face folder: config.json, model.safetensors under the checkpoint's
 * own names (each weight's layout undone: GPT-2's Conv1D transposed back, its q/k/v fused again),
 * and the tokenizer files copied from the source folder.
 */
public final class HfModelWriter {
    private static final List<String> TOKENIZER_FILES =
            List.of(
                    "tokenizer.json",
                    "tokenizer_config.json",
                    "special_tokens_map.json",
                    "generation_config.json");

    private HfModelWriter() {}

    /**
     * @param storeAs F32 or F16
     */
    public static void write(Path dir, PretrainedModel model, Path tokenizerFrom, DataType storeAs)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, List<WeightBinding>> byName = new LinkedHashMap<>();
        for (WeightBinding binding : model.block().weightBindings()) {
            byName.computeIfAbsent(binding.name(), n -> new ArrayList<>()).add(binding);
        }
        // A quantized base is written dequantized: a merged export is a dense HF model.
        Map<Parameter, LinearLayer> quantized = new IdentityHashMap<>();
        for (LinearLayer layer : model.block().layerLinears()) {
            if (!(layer.storage() instanceof DenseWeight)) {
                quantized.put(layer.weight(), layer);
            }
        }
        try (NDManager scratch = model.manager().newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            byName.forEach(
                    (name, parts) ->
                            tensors.put(
                                    name,
                                    checkpointForm(parts, quantized, scratch)
                                            .toType(storeAs, false)));
            SafetensorsWriter.write(
                    dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        }
        Files.writeString(
                dir.resolve("config.json"), configFor(model).toJson(), StandardCharsets.UTF_8);
        for (String file : TOKENIZER_FILES) {
            Path source = tokenizerFrom.resolve(file);
            if (Files.exists(source) && !source.equals(dir.resolve(file))) {
                Files.copy(source, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * The config as written: a reward model (a score head, no LM head) is written as transformers'
     * {@code *ForSequenceClassification} with one label, so {@code
     * AutoModelForSequenceClassification} loads it with its {@code score.weight}.
     */
    static HfConfig configFor(PretrainedModel model) {
        HfConfig config = model.config();
        Heads heads = model.block().heads();
        if (!heads.hasScore() || heads.languageModel()) {
            return config;
        }
        HfConfig labelled =
                config.with("id2label", Map.of("0", "LABEL_0"))
                        .with("label2id", Map.of("LABEL_0", 0));
        List<String> architectures = new ArrayList<>();
        config.optRaw("architectures")
                .filter(JsonElement::isJsonArray)
                .ifPresent(
                        list ->
                                list.getAsJsonArray()
                                        .forEach(
                                                a ->
                                                        architectures.add(
                                                                classifier(a.getAsString()))));
        return architectures.isEmpty() ? labelled : labelled.with("architectures", architectures);
    }

    // LlamaForCausalLM -> LlamaForSequenceClassification, GPT2LMHeadModel -> GPT2For...
    private static String classifier(String architecture) {
        for (String suffix : List.of("ForCausalLM", "LMHeadModel", "ForSequenceClassification")) {
            if (architecture.endsWith(suffix)) {
                return architecture.substring(0, architecture.length() - suffix.length())
                        + "ForSequenceClassification";
            }
        }
        return architecture;
    }

    /** Undoes the load-time layout: concatenate row slices in order, transpose back. */
    private static NDArray checkpointForm(
            List<WeightBinding> parts, Map<Parameter, LinearLayer> quantized, NDManager scratch) {
        List<WeightBinding> ordered = new ArrayList<>(parts);
        ordered.sort(Comparator.comparingLong(b -> b.layout().rowStart()));
        NDList pieces = new NDList();
        for (WeightBinding part : ordered) {
            LinearLayer layer = quantized.get(part.parameter());
            if (layer != null) {
                NDArray like = scratch.zeros(new Shape(1), DataType.FLOAT32);
                pieces.add(layer.denseWeight(new ParameterStore(scratch, false), like, false));
                continue;
            }
            NDArray copy = part.parameter().getArray().duplicate();
            copy.attach(scratch);
            pieces.add(copy);
        }
        NDArray joined = pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces, 0);
        return ordered.get(0).layout().transpose() ? joined.transpose() : joined;
    }
}
