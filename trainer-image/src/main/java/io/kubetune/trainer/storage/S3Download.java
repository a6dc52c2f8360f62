package io.kubetune.trainer.storage;

import io.kubetune.trainer.UserInputException;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads {@code s3://bucket/key} into the cache: an object as a file, a prefix as a folder.
 * Objects are written to a {@code .part} file that a restart continues from where it stopped.
 */
public final class S3Download {
    private final MinioClient client;
    private final DownloadBudget budget;

    public S3Download(MinioClient client, DownloadBudget budget) {
        this.client = client;
        this.budget = budget;
    }

    /** The local file (object) or folder (prefix) under {@code cacheRoot/s3/bucket/key}. */
    public Path fetch(S3Uri uri, Path cacheRoot, String field) throws IOException {
        String source = field + " " + uri;
        Path bucketDir = RemotePaths.inside(cacheRoot.resolve("s3"), uri.bucket(), source);
        Path entry =
                uri.key().isEmpty()
                        ? bucketDir
                        : RemotePaths.inside(bucketDir, stripSlash(uri.key()), source);
        try {
            Long size = uri.key().isEmpty() || uri.key().endsWith("/") ? null : objectSize(uri);
            if (size != null) {
                Path file = entry.resolve(entry.getFileName());
                if (!CacheEntry.isComplete(entry)) {
                    budget.admit(size, source);
                    Files.createDirectories(entry);
                    download(uri.key(), uri.bucket(), size, file);
                    CacheEntry.markComplete(entry, uri.toString());
                }
                return file;
            }
            if (!CacheEntry.isComplete(entry)) {
                List<Item> items = list(uri.bucket(), uri.prefix());
                if (items.isEmpty()) {
                    throw new IllegalArgumentException(
                            field
                                    + " "
                                    + uri
                                    + " was not found: no object with that key and none under"
                                    + " that prefix; check the bucket and the key");
                }
                List<Path> files = new ArrayList<>();
                for (Item item : items) { // every name and size checked before any byte
                    String relative = item.objectName().substring(uri.prefix().length());
                    files.add(RemotePaths.inside(entry, relative, source + ": a key under it"));
                    budget.admit(item.size(), source + " key " + item.objectName());
                }
                for (int i = 0; i < items.size(); i++) {
                    Item item = items.get(i);
                    Path file = files.get(i);
                    Files.createDirectories(file.getParent());
                    download(item.objectName(), uri.bucket(), item.size(), file);
                }
                CacheEntry.markComplete(entry, uri.toString());
            }
            return entry;
        } catch (ErrorResponseException e) {
            throw new IOException(
                    field
                            + " "
                            + uri
                            + ": "
                            + S3Errors.describe(e)
                            + "; check the bucket name and that the keys in the Secret may read"
                            + " it",
                    e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    field + " " + uri + ": could not read from S3: " + S3Errors.describe(e), e);
        }
    }

    /** The object's size, or null when no object has this key (it may be a prefix). */
    private Long objectSize(S3Uri uri) throws Exception {
        try {
            return client.statObject(
                            StatObjectArgs.builder().bucket(uri.bucket()).object(uri.key()).build())
                    .size();
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            if ("NoSuchKey".equals(code) || "NoSuchObject".equals(code)) {
                return null;
            }
            throw e;
        }
    }

    List<Item> list(String bucket, String prefix) throws Exception {
        return list(client, bucket, prefix);
    }

    /** The objects (not folders) under a prefix, recursively. */
    static List<Item> list(MinioClient client, String bucket, String prefix) throws Exception {
        List<Item> items = new ArrayList<>();
        for (Result<Item> r :
                client.listObjects(
                        ListObjectsArgs.builder()
                                .bucket(bucket)
                                .prefix(prefix)
                                .recursive(true)
                                .build())) {
            Item item = r.get();
            if (!item.isDir() && !item.objectName().endsWith("/")) { // not folder markers
                items.add(item);
            }
        }
        return items;
    }

    /** Downloads one object, continuing a {@code .part} file left by an earlier attempt. */
    void download(String key, String bucket, long size, Path file) throws Exception {
        if (Files.exists(file) && Files.size(file) == size) {
            return;
        }
        Path part = file.resolveSibling(file.getFileName() + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > size) {
            Files.delete(part);
            have = 0;
        }
        if (have < size) {
            GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(bucket).object(key);
            if (have > 0) {
                args.offset(have);
            }
            try (InputStream in = client.getObject(args.build());
                    OutputStream out =
                            Files.newOutputStream(
                                    part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                DownloadBudget.copyAtMost(
                        in, out, size - have, "s3://" + bucket + "/" + key); // its listed size
            } catch (UserInputException tooMuch) {
                Files.deleteIfExists(part);
                throw tooMuch;
            }
        } else if (!Files.exists(part)) {
            Files.createFile(part); // an empty object
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String stripSlash(String key) {
        return key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    }
}
