package io.kubetune.trainer.storage;

import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.TrainingListener;
import io.minio.RemoveObjectArgs;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Mirrors a run's local folder to its S3 output. A checkpoint is hard-linked into {@code
 * .uploading/} the moment it is written, so the local store may prune it while it is still being
 * uploaded; its files go first and its manifest last, so readers only ever see it whole; then S3
 * checkpoints beyond keepLast are deleted. The adapter, models, metrics, loss plot and answers go
 * at the end (and on a stop).
 */
public final class CheckpointUploader implements TrainingListener {
    static final String CHECKPOINTS = "checkpoints";
    static final String STAGING = ".uploading";
    private static final String METRICS = "metrics.jsonl";

    private final S3Uploads uploads;
    private final S3Uri output;
    private final Path workDir;
    private final int keepLast;

    public CheckpointUploader(S3Uploads uploads, S3Uri output, Path workDir, int keepLast) {
        this.uploads = uploads;
        this.output = output;
        this.workDir = workDir;
        this.keepLast = keepLast;
    }

    @Override
    public void onCheckpoint(long step, Path checkpoint) {
        try {
            String name = checkpoint.getFileName().toString();
            Path staged = stage(checkpoint, workDir.resolve(STAGING).resolve(name));
            String prefix = output.prefix() + CHECKPOINTS + "/" + name + "/";
            List<Path> files;
            try (Stream<Path> s = Files.list(staged)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                if (!f.getFileName().toString().equals(CheckpointStore.MANIFEST)) {
                    uploads.upload(f, prefix + f.getFileName());
                }
            }
            uploads.upload(
                    staged.resolve(CheckpointStore.MANIFEST), prefix + CheckpointStore.MANIFEST);
            uploads.submit("pruning checkpoints beyond " + keepLast, this::pruneRemote);
            uploads.submit("clean-up of " + staged, () -> deleteTree(staged));
            Path metrics = workDir.resolve(METRICS);
            if (Files.exists(metrics)) {
                // a copy: the log keeps growing while the upload runs
                Path copy = workDir.resolve(STAGING).resolve(name + "-" + METRICS);
                Files.copy(metrics, copy, StandardCopyOption.REPLACE_EXISTING);
                uploads.upload(copy, output.prefix() + METRICS);
                uploads.submit("clean-up of " + copy, () -> Files.deleteIfExists(copy));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not stage checkpoint " + checkpoint, e);
        }
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        try (Stream<Path> all = Files.walk(workDir)) {
            for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
                Path rel = workDir.relativize(f);
                String top = rel.getName(0).toString();
                if (top.equals(CHECKPOINTS) || top.equals(STAGING)) {
                    continue;
                }
                uploads.upload(f, output.prefix() + rel.toString().replace('\\', '/'));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + workDir + " for upload", e);
        }
    }

    /** Hard links (a copy where links are not possible): the store's pruning cannot touch them. */
    private static Path stage(Path checkpoint, Path staged) throws IOException {
        deleteTree(staged);
        Files.createDirectories(staged);
        try (Stream<Path> s = Files.list(checkpoint)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Path link = staged.resolve(f.getFileName());
                try {
                    Files.createLink(link, f);
                } catch (UnsupportedOperationException | IOException e) {
                    Files.copy(f, link);
                }
            }
        }
        return staged;
    }

    /** Deletes complete S3 checkpoints older than the newest keepLast. */
    private void pruneRemote() throws Exception {
        TreeMap<String, List<String>> byCheckpoint = remoteCheckpoints(uploads, output);
        List<String> complete = new ArrayList<>();
        byCheckpoint.forEach(
                (name, keys) -> {
                    if (keys.stream().anyMatch(k -> k.endsWith("/" + CheckpointStore.MANIFEST))) {
                        complete.add(name);
                    }
                });
        for (String old : complete.subList(0, Math.max(0, complete.size() - keepLast))) {
            // manifest first: a reader never sees a "complete" checkpoint with files missing
            List<String> keys = new ArrayList<>(byCheckpoint.get(old));
            keys.sort(Comparator.comparing(k -> !k.endsWith("/" + CheckpointStore.MANIFEST)));
            for (String key : keys) {
                uploads.client()
                        .removeObject(
                                RemoveObjectArgs.builder()
                                        .bucket(uploads.bucket())
                                        .object(key)
                                        .build());
            }
        }
    }

    /** Keys under {@code <output>/checkpoints/}, grouped by checkpoint folder, oldest first. */
    static TreeMap<String, List<String>> remoteCheckpoints(S3Uploads uploads, S3Uri output)
            throws Exception {
        String root = output.prefix() + CHECKPOINTS + "/";
        TreeMap<String, List<String>> grouped = new TreeMap<>();
        for (Item item : S3Download.list(uploads.client(), uploads.bucket(), root)) {
            String rest = item.objectName().substring(root.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                grouped.computeIfAbsent(rest.substring(0, slash), k -> new ArrayList<>())
                        .add(item.objectName());
            }
        }
        return grouped;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
