package io.kubetune.trainer.storage;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.train.CheckpointStore;
import io.minio.GetObjectArgs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Brings the newest complete S3 checkpoint (one with a manifest) into the local run folder, where
 * {@link CheckpointStore} resumes from it. Files are checked against the manifest's sizes and
 * SHA-256; the manifest is written locally last, so an interrupted restore is never taken for a
 * checkpoint. Folders without a manifest (a half-written upload) are ignored.
 */
public final class CheckpointRestore {
    private CheckpointRestore() {}

    /** The checkpoint folder name restored (or already there), if S3 has a complete one. */
    public static Optional<String> newest(S3Uploads s3, S3Uri output, Path workDir)
            throws Exception {
        TreeMap<String, List<String>> remote = CheckpointUploader.remoteCheckpoints(s3, output);
        String manifestSuffix = "/" + CheckpointStore.MANIFEST;
        Optional<Map.Entry<String, List<String>>> newest =
                remote.descendingMap().entrySet().stream()
                        .filter(
                                e ->
                                        e.getValue().stream()
                                                .anyMatch(k -> k.endsWith(manifestSuffix)))
                        .findFirst();
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        String name = newest.get().getKey();
        Path local = workDir.resolve(CheckpointUploader.CHECKPOINTS).resolve(name);
        if (Files.exists(local.resolve(CheckpointStore.MANIFEST))) {
            return Optional.of(name);
        }
        String prefix = output.prefix() + CheckpointUploader.CHECKPOINTS + "/" + name + "/";
        String manifestText;
        try (InputStream in =
                s3.client()
                        .getObject(
                                GetObjectArgs.builder()
                                        .bucket(s3.bucket())
                                        .object(prefix + CheckpointStore.MANIFEST)
                                        .build())) {
            manifestText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonObject files =
                JsonParser.parseString(manifestText).getAsJsonObject().getAsJsonObject("files");
        Files.createDirectories(local);
        S3Download download = new S3Download(s3.client());
        for (String file : files.keySet()) {
            JsonObject meta = files.getAsJsonObject(file);
            long size = meta.get("size").getAsLong();
            Path target = local.resolve(file);
            download.download(prefix + file, s3.bucket(), size, target);
            String sha = Checksums.sha256(target);
            if (Files.size(target) != size || !sha.equals(meta.get("sha256").getAsString())) {
                Files.delete(target);
                throw new IOException(
                        "checkpoint s3://"
                                + s3.bucket()
                                + "/"
                                + prefix
                                + file
                                + " does not match its manifest (size or sha256); delete that"
                                + " checkpoint folder in S3 to resume from an older one");
            }
        }
        Files.writeString(local.resolve(CheckpointStore.MANIFEST), manifestText);
        return Optional.of(name);
    }
}
