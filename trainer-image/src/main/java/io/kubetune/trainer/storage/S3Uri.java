package io.kubetune.trainer.storage;

/** {@code s3://bucket/key}: a bucket and a key (an object, or a prefix when it is a folder). */
public record S3Uri(String bucket, String key) {

    public static boolean matches(String uri) {
        return uri.startsWith("s3://");
    }

    /**
     * @param field the spec field named in the error
     */
    public static S3Uri parse(String uri, String field) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException(
                    field + " is " + uri + ": no bucket; write s3://bucket/prefix");
        }
        return new S3Uri(bucket, key);
    }

    /** The key as a folder prefix: empty, or ending in "/". */
    public String prefix() {
        return key.isEmpty() || key.endsWith("/") ? key : key + "/";
    }

    /** The URI of a key below this one's prefix. */
    public S3Uri child(String relative) {
        return new S3Uri(bucket, prefix() + relative);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
