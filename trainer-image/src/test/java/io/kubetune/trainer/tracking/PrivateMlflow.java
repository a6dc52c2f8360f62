package io.kubetune.trainer.tracking;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A private MLflow tracking server (the pinned one test-env/up.sh installs under
 * ${KUBETUNE_CACHE}/bin) on a free loopback port with its own SQLite store, so a test may stop and
 * start it without touching the shared one.
 */
final class PrivateMlflow implements AutoCloseable {
    private final Path python;
    private final Path dir;
    private final int port;
    private Process server;

    PrivateMlflow(Path dir) throws IOException {
        this.dir = dir;
        this.python = venv().resolve("bin/python");
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException(
                    python + " is missing: run test-env/up.sh once (it installs MLflow)");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    String uri() {
        return "http://127.0.0.1:" + port;
    }

    void start() throws Exception {
        Files.createDirectories(dir);
        ProcessBuilder builder =
                new ProcessBuilder(
                                List.of(
                                        python.toString(),
                                        "-m",
                                        "mlflow",
                                        "server",
                                        "--host",
                                        "127.0.0.1",
                                        "--port",
                                        String.valueOf(port),
                                        "--workers",
                                        "1",
                                        "--backend-store-uri",
                                        "sqlite:///" + dir.resolve("mlflow.db"),
                                        "--artifacts-destination",
                                        dir.resolve("artifacts").toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        dir.resolve("mlflow.log").toFile()));
        // the server's background job runner (a dozen processes) is not used by training runs
        builder.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        server = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException(
                        "mlflow server exited: " + Files.readString(dir.resolve("mlflow.log")));
            }
            try {
                HttpResponse<Void> r =
                        http.send(
                                HttpRequest.newBuilder(URI.create(uri() + "/health")).build(),
                                HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("mlflow server not healthy within 3 minutes");
    }

    /** Ends the server and its web workers. */
    void stop() throws InterruptedException {
        if (server == null) {
            return;
        }
        List<ProcessHandle> workers = server.descendants().toList();
        workers.forEach(ProcessHandle::destroy);
        server.destroy();
        server.waitFor();
        for (ProcessHandle worker : workers) {
            try {
                worker.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                worker.destroyForcibly();
            }
        }
        server = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static Path venv() throws IOException {
        String cache = System.getenv("KUBETUNE_CACHE");
        Path root =
                cache != null
                        ? Path.of(cache)
                        : Path.of(System.getProperty("user.home"), ".cache", "kubetune");
        Path versions =
                Path.of(System.getProperty("kubetune.repoRoot", ".."), "test-env/versions.env");
        String version =
                Files.readAllLines(versions).stream()
                        .filter(l -> l.startsWith("MLFLOW_VERSION="))
                        .map(l -> l.substring("MLFLOW_VERSION=".length()).trim())
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no MLFLOW_VERSION in " + versions));
        return root.resolve("bin").resolve("mlflow-" + version);
    }
}
