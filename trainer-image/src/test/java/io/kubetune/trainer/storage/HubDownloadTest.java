package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hf:// inputs against a local server with the hub's layout (redirects, gating, Range, LFS). */
class HubDownloadTest {
    private static final String MAIN = "a".repeat(40);
    private static final String V2 = "b".repeat(40);

    @TempDir Path cache;
    private FakeHub hub;
    private byte[] weightsMain;
    private byte[] weightsV2;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        weightsMain = random(300_000, 1);
        weightsV2 = random(200_000, 2);
        hub.add("org/tiny", "main", model(MAIN, weightsMain, false), false);
        hub.add("org/tiny", "v2", model(V2, weightsV2, false), false);
        hub.add("org/gated", "main", model("c".repeat(40), weightsMain, false), true);
        hub.add("org/corrupt", "main", model("d".repeat(40), weightsMain, true), false);
        Map<String, byte[]> data = new LinkedHashMap<>();
        data.put("README.md", bytes("# data"));
        data.put("data/train.jsonl", bytes("{\"text\":\"train\"}\n"));
        data.put("data/validation.jsonl", bytes("{\"text\":\"validation\"}\n"));
        hub.add(
                "datasets/org/data",
                "main",
                new FakeHub.Commit("e".repeat(40), data, false),
                false);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void modelDownloadFollowsTheCdnRedirectAndTakesOnlyWhatTheTrainerReads() throws IOException {
        Path dir = resolver(FakeHub.TOKEN).resolve("hf://org/tiny", "spec.model.uri");

        assertThat(dir.resolve("model.safetensors")).hasBinaryContent(weightsMain);
        assertThat(dir.resolve("config.json")).hasContent("{\"model_type\":\"llama\"}");
        assertThat(dir.resolve("tokenizer.json")).exists();
        assertThat(dir.resolve("pytorch_model.bin")).doesNotExist();
        assertThat(dir.resolve("onnx")).doesNotExist();
        assertThat(hub.requests).anyMatch(p -> p.startsWith("/cdn/"));
        // the token goes to the hub, never to the CDN a redirect points at
        assertThat(hub.authorizationsAtCdn).isEmpty();

        int before = hub.requests.size();
        assertThat(resolver(null).resolve("hf://org/tiny", "spec.model.uri")).isEqualTo(dir);
        // a second run (a restarted pod) only resolves the revision; it downloads nothing
        assertThat(hub.requests.subList(before, hub.requests.size()))
                .allMatch(p -> p.startsWith("/api/"));
    }

    @Test
    void gatedModelIsRefusedWithoutTheTokenAndReadWithIt() throws IOException {
        assertThatThrownBy(() -> resolver(null).resolve("hf://org/gated", "spec.model.uri"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.model.uri")
                .hasMessageContaining("401")
                .hasMessageContaining("set HF_TOKEN via spec.model.secretRef");

        Path dir = resolver(FakeHub.TOKEN).resolve("hf://org/gated", "spec.model.uri");
        assertThat(dir.resolve("model.safetensors")).hasBinaryContent(weightsMain);
    }

    @Test
    void halfDownloadedFileIsResumedWithOnlyTheRestTransferred() throws IOException {
        Path snapshot = cache.resolve("hf/models/org--tiny").resolve(MAIN);
        Files.createDirectories(snapshot);
        int half = weightsMain.length / 2;
        Files.write(snapshot.resolve("model.safetensors.part"), Arrays.copyOf(weightsMain, half));

        Path dir = resolver(null).resolve("hf://org/tiny", "spec.model.uri");

        assertThat(dir.resolve("model.safetensors")).hasBinaryContent(weightsMain);
        assertThat(hub.cdnBytesSent.get()).isEqualTo(weightsMain.length - half);
        assertThat(snapshot.resolve("model.safetensors.part")).doesNotExist();
    }

    @Test
    void revisionsArePinnedToTheirCommitAndCachedApart() throws IOException {
        Path main = resolver(null).resolve("hf://org/tiny", "spec.model.uri");
        Path v2 = resolver(null).resolve("hf://org/tiny@v2", "spec.model.uri");
        Path bySha = resolver(null).resolve("hf://org/tiny@" + V2, "spec.model.uri");

        assertThat(main.getFileName().toString()).isEqualTo(MAIN);
        assertThat(v2.getFileName().toString()).isEqualTo(V2);
        assertThat(v2.resolve("model.safetensors")).hasBinaryContent(weightsV2);
        assertThat(main.resolve("model.safetensors")).hasBinaryContent(weightsMain);
        assertThat(bySha).isEqualTo(v2);
    }

    @Test
    void fileWhoseChecksumDoesNotMatchTheHubsIsRejected() {
        assertThatThrownBy(() -> resolver(null).resolve("hf://org/corrupt", "spec.model.uri"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("checksum mismatch");
        Path snapshot = cache.resolve("hf/models/org--corrupt").resolve("d".repeat(40));
        assertThat(snapshot.resolve("model.safetensors")).doesNotExist();
        assertThat(snapshot.resolve("model.safetensors.part")).doesNotExist();
    }

    @Test
    void unknownRevisionIsNotFoundNamingTheRevision() {
        assertThatThrownBy(() -> resolver(null).resolve("hf://org/tiny@nope", "spec.model.uri"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.model.uri")
                .hasMessageContaining("not found at revision nope");
    }

    @Test
    void datasetGivesTheTrainSplitAndTheValidationSplitForAValidationUri() throws IOException {
        Path train = resolver(null).resolve("hf://datasets/org/data", "spec.datasets[0].uri");
        Path validation = resolver(null).resolve("hf://datasets/org/data", "spec.validation.uri");
        Path named =
                resolver(null)
                        .resolve(
                                "hf://datasets/org/data/data/validation.jsonl",
                                "spec.datasets[0].uri");

        assertThat(train).hasContent("{\"text\":\"train\"}");
        assertThat(validation).hasContent("{\"text\":\"validation\"}");
        assertThat(named).isEqualTo(validation);
    }

    private UriInputResolver resolver(String token) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HF_ENDPOINT", hub.endpoint());
        if (token != null) {
            env.put("HF_TOKEN", token);
        }
        return new UriInputResolver(cache, cache, env);
    }

    private static FakeHub.Commit model(String sha, byte[] weights, boolean wrongChecksums) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", bytes("{\"model_type\":\"llama\"}"));
        files.put("tokenizer.json", bytes("{}"));
        files.put("model.safetensors", weights);
        files.put("pytorch_model.bin", new byte[10]);
        files.put("onnx/model.onnx", new byte[10]);
        return new FakeHub.Commit(sha, files, wrongChecksums);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
