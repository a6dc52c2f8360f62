package io.kubetune.trainer.model.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model folder: one {@code model.safetensors}, or the shards listed
 * by {@code model.safetensors.index.json}, behind one name lookup.
 */
public final class Checkpoint implements AutoCloseable {

    /** The file a single-file checkpoint is saved as. */
    public static final String SINGLE_FILE = "model.safetensors";

    /** The index a sharded checkpoint is saved with. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Map<String, SafetensorsFile> fileByTensor;
    private final List<SafetensorsFile> files;

    private Checkpoint(Map<String, SafetensorsFile> fileByTensor, List<SafetensorsFile> files) {
        this.fileByTensor = fileByTensor;
        this.files = files;
    }

    /**
     * Opens the checkpoint of a model folder.
     *
     * @param modelDir a folder as {@code save_pretrained} writes it
     * @return the open checkpoint
     * @throws IOException if no safetensors checkpoint is there or a file cannot be read
     */
    public static Checkpoint open(Path modelDir) throws IOException {
        Path index = modelDir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return openSharded(modelDir, index);
        }
        Path single = modelDir.resolve(SINGLE_FILE);
        if (Files.exists(single)) {
            return of(List.of(SafetensorsFile.open(single)));
        }
        throw new IOException(
                modelDir
                        + " has neither "
                        + SINGLE_FILE
                        + " nor "
                        + INDEX_FILE
                        + "; kubetune reads safetensors only (pytorch_model.bin can be converted"
                        + " with transformers: model.save_pretrained(dir, safe_serialization=True))");
    }

    /**
     * Wraps already opened files as one checkpoint.
     *
     * @param files the files; the checkpoint closes them
     * @return the checkpoint
     */
    public static Checkpoint of(List<SafetensorsFile> files) {
        Map<String, SafetensorsFile> fileByTensor = new LinkedHashMap<>();
        for (SafetensorsFile file : files) {
            for (String name : file.names()) {
                fileByTensor.put(name, file);
            }
        }
        return new Checkpoint(fileByTensor, files);
    }

    private static Checkpoint openSharded(Path modelDir, Path index) throws IOException {
        JsonObject weightMap;
        try (Reader reader = Files.newBufferedReader(index)) {
            weightMap =
                    JsonParser.parseReader(reader).getAsJsonObject().getAsJsonObject("weight_map");
        }
        if (weightMap == null) {
            throw new IOException(index + " has no weight_map");
        }
        Map<String, SafetensorsFile> byShard = new LinkedHashMap<>();
        Map<String, SafetensorsFile> fileByTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
                String shard = e.getValue().getAsString();
                SafetensorsFile file = byShard.get(shard);
                if (file == null) {
                    file = SafetensorsFile.open(modelDir.resolve(shard));
                    byShard.put(shard, file);
                }
                if (!file.contains(e.getKey())) {
                    throw new IOException(
                            index
                                    + " places '"
                                    + e.getKey()
                                    + "' in "
                                    + shard
                                    + ", which lacks it");
                }
                fileByTensor.put(e.getKey(), file);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile file : byShard.values()) {
                file.close();
            }
            throw e;
        }
        return new Checkpoint(fileByTensor, new ArrayList<>(byShard.values()));
    }

    /** Returns every tensor name of the checkpoint. */
    public Set<String> names() {
        return Collections.unmodifiableSet(fileByTensor.keySet());
    }

    /** Returns whether the checkpoint holds a tensor of this name. */
    public boolean contains(String name) {
        return fileByTensor.containsKey(name);
    }

    /**
     * Maps one tensor.
     *
     * @param name the tensor's name
     * @return a view of its bytes
     * @throws IOException if mapping fails
     */
    public TensorView tensor(String name) throws IOException {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new IllegalArgumentException("the checkpoint has no tensor '" + name + "'");
        }
        return file.tensor(name);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
