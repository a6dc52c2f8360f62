package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link ValueHead} in the file LLaMA-Factory writes beside a PPO adapter or model and reads back
 * to resume (train/callbacks.py fix_valuehead_checkpoint, extras/constants.py): {@code
 * value_head.safetensors} holding {@code v_head.summary.weight} [1, hidden] and {@code
 * v_head.summary.bias} [1], metadata {@code format: pt}.
 */
public final class ValueHeadFile {
    /** The file name, LLaMA-Factory's V_HEAD_SAFE_WEIGHTS_NAME. */
    public static final String NAME = "value_head.safetensors";

    public static final String WEIGHT = "v_head.summary.weight";
    public static final String BIAS = "v_head.summary.bias";

    private ValueHeadFile() {}

    /** Writes {@code head} into {@code dir}/value_head.safetensors. */
    public static void write(Path dir, ValueHead head) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put(WEIGHT, head.summary().weight().getArray());
        tensors.put(BIAS, head.summary().bias().getArray());
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve(NAME), tensors, Map.of("format", "pt"));
    }

    /** Whether {@code dir} holds a saved value head. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(NAME));
    }

    /**
     * Copies the saved head in {@code dir} into {@code head}.
     *
     * @throws IllegalArgumentException when a tensor is missing or its shape is not the head's
     *     (saved for another base model)
     */
    public static void read(Path dir, ValueHead head) throws IOException {
        Path file = dir.resolve(NAME);
        try (SafetensorsFile saved = SafetensorsFile.open(file);
                TensorLoader loader = new TensorLoader()) {
            copy(saved, loader, file, WEIGHT, head.summary().weight());
            copy(saved, loader, file, BIAS, head.summary().bias());
        }
    }

    private static void copy(
            SafetensorsFile saved, TensorLoader loader, Path file, String key, Parameter target)
            throws IOException {
        if (!saved.contains(key)) {
            throw new IllegalArgumentException(
                    file
                            + " has no "
                            + key
                            + "; a value head is saved as "
                            + WEIGHT
                            + " and "
                            + BIAS
                            + " (LLaMA-Factory's PPO format)");
        }
        NDArray into = target.getArray();
        try (NDManager scratch = into.getManager().newSubManager()) {
            NDArray value =
                    loader.load(saved.tensor(key), WeightLayout.AS_IS, scratch, into.getDataType());
            if (!value.getShape().equals(into.getShape())) {
                throw new IllegalArgumentException(
                        file
                                + ": "
                                + key
                                + " has shape "
                                + value.getShape()
                                + ", the value head "
                                + into.getShape()
                                + "; it was saved for a model of another hidden size");
            }
            value.copyTo(into);
        }
    }
}
