package io.kubetune.trainer.storage;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.train.CheckpointStore;
import io.minio.GetObjectArgs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Brings the newest complete S3 checkpoint (one with a manifest) into the local run folder, where
 * {@link CheckpointStore} resumes from it. Files are checked against the manifest's sizes and
 * SHA-256; the manifest is written locally last, so an interrupted restore is never taken for a
 * checkpoint. Folders without a manifest (a half-written upload) are ignored. The manifest is
 * outside input: its file names must stay inside the checkpoint folder and its sizes within the
 * download caps, all checked before the first file is fetched.
 */
public final class CheckpointRestore {
    private static final long MAX_MANIFEST_BYTES = 16L << 20;

    /** One file of a checkpoint manifest, checked: where it goes and what it must be. */
    record ManifestFile(String name, Path target, long size, String sha256) {}

    private CheckpointRestore() {}

    /** The checkpoint folder name restored (or already there), if S3 has a complete one. */
    public static Optional<String> newest(
            S3Uploads s3, S3Uri output, Path workDir, DownloadBudget budget) throws Exception {
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
        String prefix = output.prefix() + CheckpointUploader.CHECKPOINTS + "/" + name + "/";
        String source = "checkpoint s3://" + s3.bucket() + "/" + prefix;
        Path local =
                RemotePaths.inside(
                        workDir.resolve(CheckpointUploader.CHECKPOINTS), name, source + " (S3)");
        if (Files.exists(local.resolve(CheckpointStore.MANIFEST))) {
            return Optional.of(name);
        }
        String manifestText;
        try (InputStream in =
                s3.client()
                        .getObject(
                                GetObjectArgs.builder()
                                        .bucket(s3.bucket())
                                        .object(prefix + CheckpointStore.MANIFEST)
                                        .build())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DownloadBudget.copyAtMost(in, bytes, MAX_MANIFEST_BYTES, source + "manifest.json");
            manifestText = bytes.toString(StandardCharsets.UTF_8);
        }
        List<ManifestFile> files = manifestFiles(manifestText, local, source, budget);
        Files.createDirectories(local);
        S3Download download = new S3Download(s3.client(), budget);
        for (ManifestFile file : files) {
            download.download(prefix + file.name(), s3.bucket(), file.size(), file.target());
            if (Files.size(file.target()) != file.size()
                    || !Checksums.sha256(file.target()).equals(file.sha256())) {
                Files.delete(file.target());
                throw new IOException(
                        source
                                + file.name()
                                + " does not match its manifest (size or sha256); delete that"
                                + " checkpoint folder in S3 to resume from an older one");
            }
        }
        Files.writeString(local.resolve(CheckpointStore.MANIFEST), manifestText);
        return Optional.of(name);
    }

    /**
     * The manifest's files, each name kept inside {@code local} and each size admitted by the
     * budget; a manifest that is not one, or names a file elsewhere, is refused whole.
     */
    static List<ManifestFile> manifestFiles(
            String manifestText, Path local, String source, DownloadBudget budget) {
        JsonObject files;
        try {
            files = JsonParser.parseString(manifestText).getAsJsonObject().getAsJsonObject("files");
            files.size();
        } catch (RuntimeException malformed) {
            throw new UserInputException(
                    source
                            + "manifest.json is not a checkpoint manifest; delete that checkpoint"
                            + " folder in S3 to resume from an older one");
        }
        List<ManifestFile> checked = new ArrayList<>();
        for (String name : files.keySet()) {
            Path target = RemotePaths.inside(local, name, source + "manifest.json");
            long size;
            String sha256;
            try {
                JsonObject meta = files.getAsJsonObject(name);
                size = meta.get("size").getAsLong();
                sha256 = meta.get("sha256").getAsString();
            } catch (RuntimeException malformed) {
                throw new UserInputException(
                        source
                                + "manifest.json lists a file without a size and sha256; delete"
                                + " that checkpoint folder in S3 to resume from an older one");
            }
            budget.admit(size, source + name); // the name is checked by now
            checked.add(new ManifestFile(name, target, size, sha256));
        }
        return checked;
    }
}
