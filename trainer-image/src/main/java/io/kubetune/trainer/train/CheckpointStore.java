package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.DynamicLossScaler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Resumable checkpoints under {@code <output>/checkpoints/step-NNNNNNNN/}: the trainable weights,
 * the optimizer's moments and the trainer's position. {@code manifest.json}, naming every file with
 * its size and SHA-256, is written last: a folder without it is incomplete and ignored.
 */
public final class CheckpointStore {
    static final String WEIGHTS = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    public static final String MANIFEST = "manifest.json";
    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Path root;
    private final int keepLast;

    public CheckpointStore(Path outputDir, int keepLast) {
        this.root = outputDir.resolve("checkpoints");
        this.keepLast = keepLast;
    }

    /**
     * Where the trainer stood: the next step to take, the best validation loss so far and the last
     * step's training loss.
     */
    public record TrainerState(
            long step, double bestEvalLoss, int evalsWithoutImprovement, double lastLoss) {}

    /**
     * @param lossScaler an fp16 run's loss scaler, else null
     */
    public Path save(
            long step,
            Map<String, Parameter> trainable,
            AdamW optimizer,
            DynamicLossScaler lossScaler,
            TrainerState state,
            RunSettings settings)
            throws IOException {
        Path dir = root.resolve(String.format("step-%08d", step));
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(MANIFEST));
        Map<String, NDArray> weights = new LinkedHashMap<>();
        trainable.forEach((name, p) -> weights.put(name, p.getArray()));
        SafetensorsWriter.write(dir.resolve(WEIGHTS), weights, Map.of("format", "pt"));
        SafetensorsWriter.write(
                dir.resolve(OPTIMIZER),
                optimizer.state(),
                Map.of("steps", Long.toString(optimizer.steps())));
        Files.writeString(dir.resolve(STATE), GSON.toJson(state), StandardCharsets.UTF_8);
        LossScalerFile.write(dir, lossScaler);
        JsonObject stored = new JsonObject();
        stored.addProperty("sha256", settings.hash());
        stored.addProperty("jobUid", settings.jobUid());
        stored.add("settings", GSON.toJsonTree(settings.values()));
        Files.writeString(
                dir.resolve(RunSettings.FILE), GSON.toJson(stored), StandardCharsets.UTF_8);
        // The history so far travels with the checkpoint: a pod that resumes from S3 starts
        // with an empty folder, and the loss plot and metrics.jsonl must still cover every step.
        Path history = root.getParent().resolve(MetricsHistory.FILE);
        if (Files.exists(history)) {
            Files.copy(
                    history, dir.resolve(MetricsHistory.FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        writeManifest(dir, step);
        prune();
        return dir;
    }

    /** The newest checkpoint whose manifest exists, if any. */
    public Optional<Path> newestComplete() throws IOException {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.exists(d.resolve(MANIFEST))).max(Path::compareTo);
        }
    }

    /**
     * The settings a checkpoint was written with, and its job's uid (null when a local run wrote
     * it); empty for checkpoints older than them.
     */
    public Optional<RunSettings> settings(Path dir) throws IOException {
        Path file = dir.resolve(RunSettings.FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonObject stored = GSON.fromJson(Files.readString(file), JsonObject.class);
        Map<String, String> values = new java.util.TreeMap<>();
        stored.getAsJsonObject("settings")
                .entrySet()
                .forEach(e -> values.put(e.getKey(), e.getValue().getAsString()));
        JsonElement uid = stored.get("jobUid");
        return Optional.of(
                new RunSettings(
                        values, uid == null || uid.isJsonNull() ? null : uid.getAsString()));
    }

    /**
     * Loads a checkpoint into the trainable weights and the optimizer, after checking its files
     * against the manifest; returns the position.
     *
     * @param lossScaler an fp16 run's loss scaler, else null
     */
    public TrainerState restore(
            Path dir,
            Map<String, Parameter> trainable,
            AdamW optimizer,
            DynamicLossScaler lossScaler,
            NDManager manager)
            throws IOException {
        verify(dir);
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(WEIGHTS));
                SafetensorsFile moments = SafetensorsFile.open(dir.resolve(OPTIMIZER));
                TensorLoader loader = new TensorLoader();
                NDManager scratch = manager.newSubManager()) {
            for (Map.Entry<String, Parameter> named : trainable.entrySet()) {
                NDArray target = named.getValue().getArray();
                checkShape(dir, named.getKey(), weights, target);
                NDArray loaded =
                        loader.load(
                                weights.tensor(named.getKey()),
                                WeightLayout.AS_IS,
                                scratch,
                                target.getDataType());
                loaded.copyTo(target);
            }
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (String name : moments.names()) {
                state.put(
                        name,
                        loader.load(
                                moments.tensor(name),
                                WeightLayout.AS_IS,
                                scratch,
                                DataType.FLOAT32));
            }
            TrainerState position =
                    GSON.fromJson(Files.readString(dir.resolve(STATE)), TrainerState.class);
            optimizer.restore(state, position.step());
            LossScalerFile.read(dir, lossScaler);
            Path history = root.getParent().resolve(MetricsHistory.FILE);
            if (Files.exists(dir.resolve(MetricsHistory.FILE)) && !Files.exists(history)) {
                Files.copy(dir.resolve(MetricsHistory.FILE), history);
            }
            return position;
        }
    }

    private static void checkShape(Path dir, String name, SafetensorsFile file, NDArray target)
            throws IOException {
        if (!file.names().contains(name)) {
            throw new IllegalArgumentException(
                    dir
                            + " has no weight "
                            + name
                            + ": it was written for another method or model");
        }
        ai.djl.ndarray.types.Shape stored = file.tensor(name).shape();
        if (!stored.equals(target.getShape())) {
            throw new IllegalArgumentException(
                    dir
                            + ": weight "
                            + name
                            + " is "
                            + stored
                            + " there but "
                            + target.getShape()
                            + " in this run (a changed method, e.g. method.lora.r); run with"
                            + " --overwrite to start again");
        }
    }

    /** Every file the manifest names has its size and SHA-256, as the S3 restore checks too. */
    static void verify(Path dir) throws IOException {
        JsonObject files =
                GSON.fromJson(Files.readString(dir.resolve(MANIFEST)), JsonObject.class)
                        .getAsJsonObject("files");
        for (String name : files.keySet()) {
            JsonObject meta = files.getAsJsonObject(name);
            Path file = dir.resolve(name).normalize();
            boolean intact =
                    file.startsWith(dir)
                            && Files.isRegularFile(file)
                            && Files.size(file) == meta.get("size").getAsLong()
                            && sha256(file).equals(meta.get("sha256").getAsString());
            if (!intact) {
                throw new IOException(
                        "checkpoint "
                                + dir
                                + ": "
                                + name
                                + " does not match its manifest (size or sha256); delete that"
                                + " checkpoint folder to resume from an older one, or run with"
                                + " --overwrite to start again");
            }
        }
    }

    private void writeManifest(Path dir, long step) throws IOException {
        JsonObject files = new JsonObject();
        for (String name :
                List.of(
                        WEIGHTS,
                        OPTIMIZER,
                        STATE,
                        LossScalerFile.FILE,
                        RunSettings.FILE,
                        MetricsHistory.FILE)) {
            if (!Files.exists(dir.resolve(name))) {
                continue;
            }
            JsonObject file = new JsonObject();
            file.addProperty("size", Files.size(dir.resolve(name)));
            file.addProperty("sha256", sha256(dir.resolve(name)));
            files.add(name, file);
        }
        JsonObject manifest = new JsonObject();
        manifest.addProperty("step", step);
        manifest.add("files", files);
        Path temp = dir.resolve(MANIFEST + ".tmp");
        Files.writeString(temp, GSON.toJson(manifest), StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes complete checkpoints beyond the newest keepLast, after the new one is complete. */
    private void prune() throws IOException {
        List<Path> complete;
        try (Stream<Path> dirs = Files.list(root)) {
            complete = dirs.filter(d -> Files.exists(d.resolve(MANIFEST))).sorted().toList();
        }
        for (Path old : complete.subList(0, Math.max(0, complete.size() - keepLast))) {
            try (Stream<Path> files = Files.walk(old)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in =
                new DigestInputStream(
                        Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
