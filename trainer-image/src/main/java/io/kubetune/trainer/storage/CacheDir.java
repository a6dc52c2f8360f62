package io.kubetune.trainer.storage;

import io.kubetune.api.v1alpha1.TrainerContract;
import java.nio.file.Path;
import java.util.Map;

/**
 * The folder downloads and the local copy of remote runs live in: {@code KUBETUNE_CACHE_DIR}, or
 * {@code ~/.cache/kubetune}. In a pod it is a volume, so a restarted container finds its downloads.
 */
public final class CacheDir {
    private CacheDir() {}

    public static Path fromEnvironment(Map<String, String> env) {
        String dir = env.get(TrainerContract.CACHE_DIR_ENV);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".cache", "kubetune");
    }
}
