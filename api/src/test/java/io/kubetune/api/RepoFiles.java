package io.kubetune.api;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the repository (crds/, examples/) from a module's working directory. */
final class RepoFiles {
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("crds"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no crds/ folder above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path crd(String plural) {
        return root().resolve("crds").resolve(plural + ".kubetune.io-v1.yml");
    }

    static Path example(String name) {
        return root().resolve("examples").resolve(name);
    }

    private RepoFiles() {}
}
