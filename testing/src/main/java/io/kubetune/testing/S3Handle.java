package io.kubetune.testing;

import io.minio.MinioClient;

/**
 * The test MinIO of {@code test-env/up.sh}: S3 endpoint, credentials and the test bucket (which
 * up.sh creates). Tests that share the bucket should write under their own key prefix.
 */
public record S3Handle(
        String endpoint, String accessKey, String secretKey, String bucket, String region) {

    /** A new MinIO client for this endpoint and these credentials. */
    public MinioClient client() {
        return MinioClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .region(region)
                .build();
    }

    @Override
    public String toString() {
        // no secret key in test logs
        return "S3Handle[endpoint="
                + endpoint
                + ", bucket="
                + bucket
                + ", accessKey="
                + accessKey
                + "]";
    }
}
