package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub that answers with names and sizes meant to escape or fill the cache (HF_ENDPOINT pointed at
 * it): each is refused with one line, and nothing is written outside the cache folder.
 */
class HostileHubTest {
    private static final String ESCAPE = "../../../../../escaped";

    @TempDir Path root;
    private Path cache;
    private FakeHub hub;

    @BeforeEach
    void startHub() throws IOException {
        cache = Files.createDirectories(root.resolve("cache"));
        hub = new FakeHub();
        hub.anyDownload = "{\"text\":\"planted\"}\n".getBytes(StandardCharsets.UTF_8);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void dataFileNamedOutsideTheCacheIsRefused() {
        hub.add("datasets/evil/data", "main", commit("a".repeat(40), ESCAPE + ".jsonl"), false);

        assertThatThrownBy(() -> resolve("hf://datasets/evil/data", "spec.datasets[0].uri"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("spec.datasets[0].uri hf://datasets/evil/data@main")
                .hasMessageContaining("'..' path segment")
                .hasMessageContaining("refused");
        assertNothingOutsideTheCache();
        assertThat(hub.cdnBytesSent).hasValue(0);
    }

    @Test
    void commitIdThatIsNotFortyHexIsRefused() {
        hub.add("evil/model", "main", commit(ESCAPE, "model.safetensors"), false);

        assertThatThrownBy(() -> resolve("hf://evil/model", "spec.model.uri"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("spec.model.uri hf://evil/model@main")
                .hasMessageContaining("commit id that is not 40 hex characters");
        assertNothingOutsideTheCache();
    }

    @Test
    void fileListedAboveTheCapIsRefusedBeforeAnyByteIsFetched() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", new byte[5000]);
        hub.add("big/model", "main", new FakeHub.Commit("b".repeat(40), files, false), false);

        assertThatThrownBy(
                        () ->
                                resolver(Map.of(DownloadLimits.MAX_FILE_ENV, "4Ki"))
                                        .resolve("hf://big/model", "spec.model.uri"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("spec.model.uri hf://big/model@main file model.safetensors")
                .hasMessageContaining("5000 bytes, above the per-file download cap of 4096")
                .hasMessageContaining(DownloadLimits.MAX_FILE_ENV);
        assertThat(hub.cdnBytesSent).hasValue(0);
        assertThat(hub.requests).noneMatch(p -> p.contains("/resolve/"));
    }

    @Test
    void filesTogetherAboveTheTotalCapAreRefused() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model-00001-of-00002.safetensors", new byte[3000]);
        files.put("model-00002-of-00002.safetensors", new byte[3000]);
        hub.add("big/sharded", "main", new FakeHub.Commit("c".repeat(40), files, false), false);

        assertThatThrownBy(
                        () ->
                                resolver(Map.of(DownloadLimits.MAX_TOTAL_ENV, "5000"))
                                        .resolve("hf://big/sharded", "spec.model.uri"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("above the total download cap of 5000 bytes");
        assertThat(hub.cdnBytesSent).hasValue(0);
    }

    @Test
    void answerThatIsNotAFileListIsRefusedWithoutQuotingIt() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        try {
            byte[] page = "<html>SECRET-PAGE-CONTENT</html>".getBytes(StandardCharsets.UTF_8);
            server.createContext(
                    "/",
                    ex -> {
                        ex.sendResponseHeaders(200, page.length);
                        ex.getResponseBody().write(page);
                        ex.close();
                    });
            server.start();
            Map<String, String> env =
                    Map.of("HF_ENDPOINT", "http://127.0.0.1:" + server.getAddress().getPort());

            assertThatThrownBy(
                            () ->
                                    new UriInputResolver(cache, cache, env)
                                            .resolve("hf://org/x", "spec.model.uri"))
                    .isInstanceOf(UserInputException.class)
                    .hasMessageContaining("spec.model.uri hf://org/x@main")
                    .hasMessageContaining("not a revision's file list")
                    .hasMessageNotContaining("SECRET-PAGE-CONTENT");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void tokenGoesOnlyToTheHubsOwnSchemeHostAndPort() {
        URI hub = URI.create("https://huggingface.co/");

        assertThat(HubClient.mayCarryToken(URI.create("https://huggingface.co/api/x"), hub))
                .isTrue();
        assertThat(HubClient.mayCarryToken(URI.create("https://huggingface.co:443/x"), hub))
                .isTrue();
        assertThat(HubClient.mayCarryToken(URI.create("http://huggingface.co/x"), hub)).isFalse();
        assertThat(HubClient.mayCarryToken(URI.create("https://cdn-lfs.hf.co/x"), hub)).isFalse();
        assertThat(HubClient.mayCarryToken(URI.create("https://huggingface.co:8443/x"), hub))
                .isFalse();
    }

    private Path resolve(String uri, String field) throws IOException {
        return resolver(Map.of()).resolve(uri, field);
    }

    private UriInputResolver resolver(Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("HF_ENDPOINT", hub.endpoint());
        return new UriInputResolver(cache, cache, env);
    }

    private void assertNothingOutsideTheCache() {
        try (Stream<Path> all = Files.walk(root)) {
            List<Path> outside = all.filter(p -> !p.equals(root) && !p.startsWith(cache)).toList();
            assertThat(outside).isEmpty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FakeHub.Commit commit(String sha, String file) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("README.md", "# x".getBytes(StandardCharsets.UTF_8));
        files.put(file, "{\"text\":\"planted\"}\n".getBytes(StandardCharsets.UTF_8));
        return new FakeHub.Commit(sha, files, false);
    }
}
