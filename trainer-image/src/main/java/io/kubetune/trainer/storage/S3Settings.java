package io.kubetune.trainer.storage;

import io.minio.MinioClient;
import java.util.Map;

/**
 * S3 endpoint and credentials from the environment the operator fills from the job's Secret: {@code
 * AWS_ENDPOINT_URL} (default AWS), {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID} and {@code
 * AWS_SECRET_ACCESS_KEY}. Buckets are addressed path-style, which MinIO and AWS both accept.
 */
public final class S3Settings {
    public static final String ENDPOINT = "AWS_ENDPOINT_URL";
    public static final String REGION = "AWS_REGION";
    public static final String ACCESS_KEY = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY = "AWS_SECRET_ACCESS_KEY";
    static final String DEFAULT_ENDPOINT = "https://s3.amazonaws.com";

    private final String endpoint;
    private final String region;
    private final String accessKey;
    private final String secretKey;

    private S3Settings(String endpoint, String region, String accessKey, String secretKey) {
        this.endpoint = endpoint;
        this.region = region;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Whether S3 credentials are set at all. */
    public static boolean present(Map<String, String> env) {
        return !blank(env.get(ACCESS_KEY));
    }

    /**
     * @param field the spec field whose URI needs S3 (e.g. {@code spec.output.uri})
     * @param secretRefField where the user puts the Secret with the keys
     */
    public static S3Settings fromEnvironment(
            Map<String, String> env, String field, String secretRefField) {
        for (String name : new String[] {ACCESS_KEY, SECRET_KEY}) {
            if (blank(env.get(name))) {
                throw new IllegalArgumentException(
                        field
                                + " is an s3:// URI but "
                                + name
                                + " is not set: put "
                                + ACCESS_KEY
                                + " and "
                                + SECRET_KEY
                                + " in a Secret and name it in "
                                + secretRefField);
            }
        }
        String endpoint = blank(env.get(ENDPOINT)) ? DEFAULT_ENDPOINT : env.get(ENDPOINT);
        return new S3Settings(endpoint, env.get(REGION), env.get(ACCESS_KEY), env.get(SECRET_KEY));
    }

    public MinioClient client() {
        MinioClient.Builder b =
                MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey);
        if (!blank(region)) {
            b.region(region);
        }
        MinioClient client = b.build();
        client.disableVirtualStyleEndpoint();
        return client;
    }

    public String endpoint() {
        return endpoint;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        // never the secret key: this may end up in a log line
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + "]";
    }
}
