package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain http:// data is read only where the spec opts in; an error answer is reported by status
 * code and URL, never by its body; a body above the cap is cut off and not kept.
 */
class HttpsDownloadTest {
    private static final String BODY = "{\"text\":\"hello\"}\n";

    @TempDir Path cache;
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/data.jsonl", ex -> answer(ex, 200, BODY));
        server.createContext(
                "/broken.jsonl", ex -> answer(ex, 500, "SECRET-INTERNAL-PAGE stack trace"));
        server.createContext("/big.jsonl", ex -> answer(ex, 200, "x".repeat(10_000)));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void plainHttpIsRefusedUnlessTheSpecOptsIn() throws IOException {
        String uri = base + "/data.jsonl";

        assertThatThrownBy(() -> resolver(Map.of()).resolve(uri, "spec.datasets[0].uri"))
                .isInstanceOf(UserInputException.class)
                .hasMessage(
                        "spec.datasets[0].uri is "
                                + uri
                                + ": plain http is refused (anyone on the way can change the"
                                + " data); use https://, or set"
                                + " spec.datasets[0].allowInsecureHttp: true if this server is"
                                + " trusted");
        assertThat(cache).isEmptyDirectory();

        Path file = resolver(Map.of()).resolve(uri, "spec.datasets[0].uri", true);
        assertThat(file).hasContent(BODY.strip());
    }

    @Test
    void errorAnswerIsReportedByStatusAndUrlNotByItsBody() {
        String uri = base + "/broken.jsonl";

        assertThatThrownBy(() -> resolver(Map.of()).resolve(uri, "spec.validation.uri", true))
                .isInstanceOf(UserInputException.class)
                .hasMessage("spec.validation.uri " + uri + ": the server answered HTTP 500");
    }

    @Test
    void bodyAboveTheCapIsRefusedAndNotKept() throws IOException {
        String uri = base + "/big.jsonl";

        assertThatThrownBy(
                        () ->
                                resolver(Map.of(DownloadLimits.MAX_FILE_ENV, "1Ki"))
                                        .resolve(uri, "spec.datasets[0].uri", true))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("above the per-file download cap of 1024 bytes");
        try (var files = Files.walk(cache)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    private UriInputResolver resolver(Map<String, String> env) {
        return new UriInputResolver(cache, cache, env);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (var out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
