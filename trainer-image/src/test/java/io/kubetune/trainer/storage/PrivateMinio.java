package io.kubetune.trainer.storage;

import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A MinIO server of this test alone (the shared one of test-env/ must never be stopped), from the
 * binary test-env/up.sh built, on free ports, that can be stopped and started again on the same
 * data folder.
 */
final class PrivateMinio implements AutoCloseable {
    final String accessKey = "private-it";
    final String secretKey = "pw-" + UUID.randomUUID();
    final String bucket = "outage";
    private final Path binary;
    private final Path data;
    private final Path log;
    private final int port;
    private final int consolePort;
    private Process process;

    PrivateMinio(Path workDir) throws IOException {
        this.binary = findBinary();
        this.data = workDir.resolve("minio-data");
        this.log = workDir.resolve("minio.log");
        Files.createDirectories(data);
        this.port = freePort();
        this.consolePort = freePort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    MinioClient client() {
        return MinioClient.builder()
                .endpoint(endpoint())
                .credentials(accessKey, secretKey)
                .region("us-east-1")
                .build();
    }

    void start() throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(
                                binary.toString(),
                                "server",
                                "--quiet",
                                "--address",
                                "127.0.0.1:" + port,
                                "--console-address",
                                "127.0.0.1:" + consolePort,
                                data.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("MINIO_ROOT_USER", accessKey);
        pb.environment().put("MINIO_ROOT_PASSWORD", secretKey);
        pb.environment().put("MINIO_BROWSER", "off");
        pb.environment().put("MINIO_UPDATE", "off");
        pb.environment().put("MINIO_CALLHOME_ENABLE", "off");
        pb.environment().put("MINIO_REGION", "us-east-1");
        process = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(endpoint() + "/minio/health/ready"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("private MinIO did not start; see " + log);
    }

    void createBucket() throws Exception {
        client().makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static Path findBinary() throws IOException {
        Path bin = Path.of(System.getProperty("user.home"), ".cache", "kubetune", "bin");
        try (Stream<Path> dirs = Files.list(bin)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("minio-"))
                    .map(d -> d.resolve("minio"))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no MinIO binary under "
                                                    + bin
                                                    + "; run test-env/up.sh once"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
