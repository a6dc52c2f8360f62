package io.kubetune.trainer.storage;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * S3 writes done on one background thread, in the order they were asked for (so a checkpoint's
 * manifest goes after its files), each retried with exponential backoff until it succeeds or a
 * deadline passes: training goes on while S3 is down. Files are streamed; those over one part size
 * go as multipart uploads.
 *
 * <p>A plain retry loop rather than a retry library: one policy (backoff doubling to a cap, one
 * deadline) used in one place, visible in 20 lines.
 */
public final class S3Uploads implements AutoCloseable {
    /** A write to S3 that may be tried again. */
    @FunctionalInterface
    public interface S3Action {
        void run() throws Exception;
    }

    static final long PART_SIZE = 16L * 1024 * 1024;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

    private final MinioClient client;
    private final String bucket;
    private final Duration deadline;
    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "s3-uploads");
                        t.setDaemon(true);
                        return t;
                    });
    private final List<Future<?>> pending = new ArrayList<>();

    /**
     * @param deadline how long one write is retried before the run gives up on it
     */
    public S3Uploads(MinioClient client, String bucket, Duration deadline) {
        this.client = client;
        this.bucket = bucket;
        this.deadline = deadline;
    }

    public MinioClient client() {
        return client;
    }

    public String bucket() {
        return bucket;
    }

    /** Queues the upload of a local file to a key; the file must not change until it is done. */
    public void upload(Path file, String key) {
        submit(
                "upload of " + key,
                () -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        client.putObject(
                                PutObjectArgs.builder().bucket(bucket).object(key).stream(
                                                in, Files.size(file), PART_SIZE)
                                        .build());
                    }
                });
    }

    /** Queues any S3 write (or local clean-up after one), retried the same way. */
    public synchronized void submit(String what, S3Action action) {
        pending.add(worker.submit(() -> retrying(what, action)));
    }

    private Void retrying(String what, S3Action action) throws Exception {
        long giveUpAt = System.nanoTime() + deadline.toNanos();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                action.run();
                if (attempt > 1) {
                    System.err.println("[s3] " + what + " succeeded at attempt " + attempt);
                }
                return null;
            } catch (Exception e) {
                if (System.nanoTime() + backoff.toNanos() > giveUpAt) {
                    throw new IOException(
                            what
                                    + " failed for "
                                    + deadline.toSeconds()
                                    + " s: "
                                    + S3Errors.describe(e),
                            e);
                }
                System.err.println(
                        "[s3] "
                                + what
                                + " failed ("
                                + S3Errors.describe(e)
                                + "); retrying in "
                                + backoff.toSeconds()
                                + " s");
                Thread.sleep(backoff.toMillis());
                backoff =
                        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                                ? MAX_BACKOFF
                                : backoff.multipliedBy(2);
            }
        }
    }

    /** Number of queued writes not done yet. */
    public synchronized int inFlight() {
        return (int) pending.stream().filter(f -> !f.isDone()).count();
    }

    /** Waits for every queued write; throws the first one that gave up. */
    public void awaitAll() throws IOException {
        List<Future<?>> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(pending);
        }
        IOException failure = null;
        for (Future<?> f : snapshot) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure =
                            e.getCause() instanceof IOException io
                                    ? io
                                    : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for S3 uploads", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            awaitAll();
        } finally {
            worker.shutdown();
        }
    }
}
