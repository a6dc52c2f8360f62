package io.kubetune.api.v1alpha1;

/** Regular expressions shared by the schema annotations. */
public final class Patterns {
    /**
     * hf://org/name[@revision], s3://bucket/prefix, https://..., or an absolute path on a volume.
     */
    public static final String MODEL_URI =
            "^(hf://[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?(@[A-Za-z0-9._/-]+)?"
                    + "|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?"
                    + "|/.+)$";

    /** A model on the hub or in S3 only: hf://org/name[@revision] or s3://bucket/prefix. */
    public static final String REMOTE_MODEL_URI =
            "^(hf://[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?(@[A-Za-z0-9._/-]+)?"
                    + "|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?)$";

    /** hf://datasets/org/name, s3://bucket/key, https://host/path, or an absolute path. */
    public static final String DATA_URI =
            "^(hf://datasets/[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?(@[A-Za-z0-9._/-]+)?(/.*)?"
                    + "|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+"
                    + "|https?://.+"
                    + "|/.+)$";

    /** Only S3 (or S3-compatible, e.g. MinIO) is a place to write to. */
    public static final String S3_URI = "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$";

    /** A positive decimal, plain or scientific: "2e-4", "0.0002", "1.5E-5". */
    public static final String POSITIVE_DECIMAL =
            "^([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$";

    /** A fraction in [0, 1): "0", "0.05", ".1". */
    public static final String FRACTION = "^(0(\\.[0-9]+)?|\\.[0-9]+)$";

    /** A fraction in [0, 0.5): "0", "0.1", ".25". */
    public static final String HALF_FRACTION = "^(0|0?\\.[0-4][0-9]*)$";

    /** A Kubernetes resource quantity: "4", "500m", "16Gi". */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

    /** An RFC 1123 DNS label: names of Secrets, queues, resources. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /** An RFC 1123 subdomain: names of Kubernetes objects. */
    public static final String DNS_SUBDOMAIN =
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    private Patterns() {}
}
