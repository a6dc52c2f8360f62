package io.kubetune.trainer.storage;

import io.minio.errors.ErrorResponseException;
import java.util.regex.Pattern;

/**
 * An S3 failure in words fit for a status or a log: the error code S3 answered with, or the kind of
 * failure. Never the server's message or body: that is fetched content (MinIO's client puts a
 * non-XML answer's body into its exception message).
 */
final class S3Errors {
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9.]{1,64}");

    private S3Errors() {}

    static String describe(Exception e) {
        if (e instanceof ErrorResponseException r
                && r.errorResponse() != null
                && r.errorResponse().code() != null
                && CODE.matcher(r.errorResponse().code()).matches()) {
            return "S3 answered " + r.errorResponse().code();
        }
        return e.getClass().getSimpleName();
    }
}
