package io.kubetune.trainer.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One file from an {@code https://} (or {@code http://}) URL into {@code https/<hash of URL>/},
 * continuing a {@code .part} with a Range request after a restart.
 */
public final class HttpsDownload {
    private final HttpClient http =
            HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();

    public static boolean matches(String uri) {
        return uri.startsWith("https://") || uri.startsWith("http://");
    }

    public Path fetch(String url, Path cacheRoot, String field) throws IOException {
        URI uri = URI.create(url);
        String name = Path.of(uri.getPath()).getFileName().toString();
        Path target = cacheRoot.resolve("https").resolve(hash(url)).resolve(name);
        if (Files.exists(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(name + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10));
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + field, e);
        }
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            if (status != 200 && status != 206 && status != 416) {
                throw new IllegalArgumentException(
                        field
                                + " "
                                + url
                                + ": the server answered HTTP "
                                + status
                                + (status == 404 ? " (not found): check the URL" : ""));
            }
            if (status != 416) {
                try (OutputStream out =
                        Files.newOutputStream(
                                part,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE,
                                status == 206
                                        ? StandardOpenOption.APPEND
                                        : StandardOpenOption.TRUNCATE_EXISTING)) {
                    body.transferTo(out);
                }
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static String hash(String url) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest(url.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
