package io.kubetune.trainer.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes a job's input URI (hf://, s3://, https:// or a path) into a local file or folder,
 * downloading remote ones as needed.
 */
public interface InputResolver {
    /**
     * @param uri the URI as written in the spec
     * @param field the spec field it came from, named in errors (e.g. {@code spec.model.uri})
     */
    Path resolve(String uri, String field) throws IOException;

    /**
     * As {@link #resolve(String, String)}; with {@code allowInsecureHttp} (the spec's opt-in) a
     * plain {@code http://} URI is read too.
     */
    default Path resolve(String uri, String field, boolean allowInsecureHttp) throws IOException {
        return resolve(uri, field);
    }
}
