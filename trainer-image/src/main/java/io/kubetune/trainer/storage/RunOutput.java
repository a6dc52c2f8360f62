package io.kubetune.trainer.storage;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.trainer.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a run writes. With an {@code s3://} spec.output.uri and S3 credentials (or inside a pod,
 * where missing credentials are an error): a work folder in the cache, {@code
 * runs/<namespace>/<name>}, first given the newest complete checkpoint from S3 and then mirrored
 * back by a {@link CheckpointUploader}. Otherwise (a laptop run, or {@code --output DIR}) a local
 * folder only, as before.
 */
public final class RunOutput implements AutoCloseable {
    /** How long one upload is retried before the run gives up on it. */
    static final Duration UPLOAD_DEADLINE = Duration.ofMinutes(30);

    private final Path dir;
    private final S3Uploads uploads;
    private final List<TrainingListener> listeners;
    private final String restored;
    private final S3Uri output;

    private RunOutput(
            Path dir,
            S3Uploads uploads,
            List<TrainingListener> listeners,
            String restored,
            S3Uri output) {
        this.dir = dir;
        this.uploads = uploads;
        this.listeners = listeners;
        this.restored = restored;
        this.output = output;
    }

    /**
     * @param cliOutput {@code --output DIR}, or null
     */
    public static RunOutput choose(FineTuneJob job, Path cliOutput, Map<String, String> env)
            throws IOException {
        String name = job.getMetadata().getName();
        String uri = job.getSpec().output == null ? null : job.getSpec().output.uri;
        boolean inPod = env.containsKey("KUBERNETES_SERVICE_HOST");
        if (cliOutput != null
                || uri == null
                || !S3Uri.matches(uri)
                || !(S3Settings.present(env) || inPod)) {
            return new RunOutput(
                    cliOutput != null ? cliOutput : Path.of("runs", name),
                    null,
                    List.of(),
                    null,
                    null);
        }
        S3Settings settings =
                S3Settings.fromEnvironment(env, "spec.output.uri", "spec.output.secretRef");
        S3Uri output = S3Uri.parse(uri, "spec.output.uri");
        String namespace = job.getMetadata().getNamespace();
        Path work =
                CacheDir.fromEnvironment(env)
                        .resolve("runs")
                        .resolve(namespace == null ? "default" : namespace)
                        .resolve(name);
        S3Uploads uploads = new S3Uploads(settings.client(), output.bucket(), UPLOAD_DEADLINE);
        String restored;
        try {
            restored =
                    CheckpointRestore.newest(
                                    uploads,
                                    output,
                                    work,
                                    new DownloadBudget(DownloadLimits.fromEnvironment(env)))
                            .orElse(null);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    "spec.output.uri "
                            + uri
                            + ": could not look for checkpoints to resume: "
                            + S3Errors.describe(e),
                    e);
        }
        if (restored != null) {
            System.err.println("[s3] resuming from " + output.child("checkpoints/" + restored));
        }
        int keepLast = job.getSpec().checkpoint.keepLast;
        return new RunOutput(
                work,
                uploads,
                List.of(new CheckpointUploader(uploads, output, work, keepLast)),
                restored,
                output);
    }

    /** The local folder the run writes to. */
    public Path dir() {
        return dir;
    }

    /** Listeners to add after the ones that write files (they upload what those wrote). */
    public List<TrainingListener> listeners() {
        return listeners;
    }

    /** The S3 checkpoint the run resumes from, if any was found. */
    public Optional<String> restoredCheckpoint() {
        return Optional.ofNullable(restored);
    }

    /**
     * Where readers find a file or folder the run wrote: its s3:// URI when the run is mirrored to
     * S3, else its absolute local path.
     */
    public String uriOf(Path local) {
        Path absolute = local.toAbsolutePath().normalize();
        Path root = dir.toAbsolutePath().normalize();
        if (output == null || !absolute.startsWith(root)) {
            return absolute.toString();
        }
        return output.child(root.relativize(absolute).toString().replace('\\', '/')).toString();
    }

    /**
     * Uploads a snapshot of a file that is still growing (a TensorBoard event file) to its place
     * under the S3 output, so readers follow the run; a local run has nothing to do.
     */
    public void publish(Path local) {
        if (uploads == null) {
            return;
        }
        Path root = dir.toAbsolutePath().normalize();
        String rel = root.relativize(local.toAbsolutePath().normalize()).toString();
        try {
            // a copy per upload: the file keeps growing while the upload runs
            Path copy =
                    Files.createTempFile(
                            Files.createDirectories(dir.resolve(CheckpointUploader.STAGING)),
                            "published-",
                            "");
            Files.copy(local, copy, StandardCopyOption.REPLACE_EXISTING);
            uploads.upload(copy, output.child(rel.replace('\\', '/')).key());
            uploads.submit("clean-up of " + copy, () -> Files.deleteIfExists(copy));
        } catch (IOException e) {
            System.err.println("[s3] could not stage " + local + " for upload: " + e);
        }
    }

    /** Waits for every pending upload. */
    @Override
    public void close() throws IOException {
        if (uploads != null) {
            uploads.close();
        }
    }
}
