package io.kubetune.trainer.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A downloaded input in the cache folder. A marker file written after the last byte tells a
 * restarted pod the download is whole; without it, the download is resumed.
 */
final class CacheEntry {
    static final String MARKER = ".kubetune-complete";

    private CacheEntry() {}

    static boolean isComplete(Path dir) {
        return Files.exists(dir.resolve(MARKER));
    }

    static void markComplete(Path dir, String source) throws IOException {
        Files.writeString(dir.resolve(MARKER), source + "\n");
    }
}
