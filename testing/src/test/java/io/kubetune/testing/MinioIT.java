package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The real MinIO of test-env/ takes and gives back a 50 MB object (multipart upload). */
@RealCluster(applyRepoCrds = false)
class MinioIT {

    @Test
    void uploadsAndDownloads50MegabytesByteForByte(MinioClient minio, S3Handle s3, TestNamespace ns)
            throws Exception {
        byte[] data = new byte[50 * 1024 * 1024];
        new Random(42).nextBytes(data);
        String expected = sha256(new ByteArrayInputStream(data));
        String key = ns.name() + "/blob-50mb.bin";

        minio.putObject(
                PutObjectArgs.builder().bucket(s3.bucket()).object(key).stream(
                                new ByteArrayInputStream(data), data.length, 10 * 1024 * 1024)
                        .contentType("application/octet-stream")
                        .build());
        try {
            var stat =
                    minio.statObject(
                            StatObjectArgs.builder().bucket(s3.bucket()).object(key).build());
            assertThat(stat.size()).isEqualTo(data.length);
            // more than one part: the upload really was multipart
            assertThat(stat.etag()).contains("-");

            try (InputStream in =
                    minio.getObject(
                            GetObjectArgs.builder().bucket(s3.bucket()).object(key).build())) {
                assertThat(sha256(in)).isEqualTo(expected);
            }
        } finally {
            minio.removeObject(RemoveObjectArgs.builder().bucket(s3.bucket()).object(key).build());
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
