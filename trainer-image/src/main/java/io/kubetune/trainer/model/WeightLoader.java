package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.kubetune.trainer.model.io.Checkpoint;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.TensorView;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.weights.Quantizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fills a model's parameters from a checkpoint through its {@link WeightBinding}s: each parameter
 * gets an initializer that copies its tensor, so DJL's own {@code initialize} does the loading and
 * no parameter is first filled with random values.
 */
public final class WeightLoader {

    private WeightLoader() {}

    /**
     * Loads every parameter.
     *
     * @param model an uninitialized model
     * @param checkpoint the weights
     * @param manager the manager that will own the parameters
     * @param dataType the compute type
     * @throws IOException if a tensor cannot be read
     */
    public static void load(
            DecoderLm model, Checkpoint checkpoint, NDManager manager, DataType dataType)
            throws IOException {
        load(model, checkpoint, manager, dataType, null);
    }

    /**
     * Loads every parameter, holding the decoder layers' linear weights quantized when a {@code
     * quantizer} is given (each is quantized as it is read, so the dense model is never resident).
     * Embeddings, norms and the heads stay dense, as bitsandbytes leaves them.
     */
    public static void load(
            DecoderLm model,
            Checkpoint checkpoint,
            NDManager manager,
            DataType dataType,
            Quantizer quantizer)
            throws IOException {
        List<WeightBinding> bindings = model.weightBindings();
        Map<Parameter, LinearLayer> quantized = new IdentityHashMap<>();
        if (quantizer != null) {
            model.layerLinears().forEach(layer -> quantized.put(layer.weight(), layer));
        }
        checkEveryParameterBound(model, bindings);
        List<String> missing = new ArrayList<>();
        try (TensorLoader loader = new TensorLoader()) {
            for (WeightBinding binding : bindings) {
                String name = resolve(binding, checkpoint);
                if (name == null && binding.whenMissing() != null) {
                    binding.parameter().setInitializer(binding.whenMissing());
                    continue;
                }
                if (name == null) {
                    missing.add(binding.name());
                    continue;
                }
                TensorView tensor = checkpoint.tensor(name);
                checkShape(binding, tensor);
                LinearLayer layer = quantized.get(binding.parameter());
                if (layer != null) {
                    try (NDManager scratch = manager.newSubManager()) {
                        NDArray dense =
                                loader.load(tensor, binding.layout(), scratch, DataType.FLOAT32);
                        layer.holdQuantized(quantizer.quantize(dense, manager));
                    }
                    continue;
                }
                binding.parameter()
                        .setInitializer(
                                (m, shape, type) -> loader.load(tensor, binding.layout(), m, type));
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(
                        "the checkpoint lacks "
                                + missing.size()
                                + " tensors the model needs: "
                                + String.join(
                                        ", ", missing.subList(0, Math.min(10, missing.size())))
                                + (missing.size() > 10 ? ", ..." : ""));
            }
            model.initialize(manager, dataType, new Shape(1, 1));
        }
    }

    private static String resolve(WeightBinding binding, Checkpoint checkpoint) {
        for (String name : binding.names()) {
            if (checkpoint.contains(name)) {
                return name;
            }
        }
        return null;
    }

    private static void checkShape(WeightBinding binding, TensorView tensor) {
        Shape expected = binding.parameter().getShape();
        Shape actual = binding.layout().apply(tensor.shape());
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(
                    "checkpoint tensor '"
                            + tensor.name()
                            + "' of shape "
                            + tensor.shape()
                            + " gives "
                            + actual
                            + ", but the config.json asks for "
                            + expected);
        }
    }

    // A parameter without a binding would silently keep random values.
    private static void checkEveryParameterBound(DecoderLm model, List<WeightBinding> bindings) {
        Set<String> bound = new HashSet<>();
        for (WeightBinding binding : bindings) {
            bound.add(binding.parameter().getId());
        }
        // A quantized weight has left the block's parameters; the rest must all be bound.
        for (Pair<String, Parameter> p : model.getParameters()) {
            if (!bound.contains(p.getValue().getId())) {
                throw new IllegalStateException(
                        model.family() + " parameter " + p.getKey() + " has no checkpoint name");
            }
        }
    }
}
