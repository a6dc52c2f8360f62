package io.kubetune.trainer.storage;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths only: relative ones against a base folder (the job file's); remote URIs are refused. */
public final class LocalInputResolver implements InputResolver {
    private final Path base;

    public LocalInputResolver(Path base) {
        this.base = base.toAbsolutePath();
    }

    @Override
    public Path resolve(String uri, String field) {
        if (uri.contains("://")) {
            throw new IllegalArgumentException(
                    field + " is " + uri + ": only local paths can be read here");
        }
        Path resolved = base.resolve(uri).normalize();
        if (!Files.exists(resolved)) {
            throw new IllegalArgumentException(
                    field
                            + " "
                            + uri
                            + " does not exist (looked at "
                            + resolved
                            + "); fix the path"
                            + cliHint(field));
        }
        return resolved;
    }

    /** On a laptop, `kubetune train` can also take the file on its command line. */
    private static String cliHint(String field) {
        if (field.startsWith("spec.model")) {
            return " or pass --model DIR";
        }
        return field.startsWith("spec.datasets") ? " or pass --data FILE" : "";
    }
}
