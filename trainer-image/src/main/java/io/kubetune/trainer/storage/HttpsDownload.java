package io.kubetune.trainer.storage;

import io.kubetune.trainer.UserInputException;
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
 * One file from an {@code https://} URL (or a plain {@code http://} one where the spec opted in)
 * into {@code https/<hash of URL>/}, continuing a {@code .part} with a Range request after a
 * restart. Errors give the status code and the URL, never the body: it is the server's content.
 */
public final class HttpsDownload {
    private final HttpClient http =
            HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL) // never https -> http
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();
    private final DownloadBudget budget;

    public HttpsDownload(DownloadBudget budget) {
        this.budget = budget;
    }

    public static boolean matches(String uri) {
        return uri.startsWith("https://") || uri.startsWith("http://");
    }

    /**
     * @param allowInsecureHttp whether the spec opted in to a plain {@code http://} URL
     */
    public Path fetch(String url, Path cacheRoot, String field, boolean allowInsecureHttp)
            throws IOException {
        if (url.startsWith("http://") && !allowInsecureHttp) {
            throw new UserInputException(
                    field
                            + " is "
                            + url
                            + ": plain http is refused (anyone on the way can change the data);"
                            + " use https://, or set "
                            + field.substring(0, field.lastIndexOf('.') + 1)
                            + "allowInsecureHttp: true if this server is trusted");
        }
        URI uri = URI.create(url);
        Path target =
                RemotePaths.inside(
                        cacheRoot.resolve("https").resolve(hash(url)),
                        fileName(uri),
                        field + " " + url);
        if (Files.exists(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
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
                throw new UserInputException(
                        field
                                + " "
                                + url
                                + ": the server answered HTTP "
                                + status
                                + (status == 404 ? " (not found): check the URL" : ""));
            }
            if (status != 416) {
                long from = status == 206 ? have : 0;
                long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                write(body, part, from, length < 0 ? -1 : from + length, field + " " + url);
                if (length < 0) {
                    budget.spentUndeclared(Files.size(part));
                }
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** Writes the body from byte {@code from} on, stopping at the file's allowance. */
    private void write(InputStream body, Path part, long from, long declaredTotal, String what)
            throws IOException {
        long max = budget.admit(declaredTotal, what);
        try (OutputStream out =
                Files.newOutputStream(
                        part,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        from > 0
                                ? StandardOpenOption.APPEND
                                : StandardOpenOption.TRUNCATE_EXISTING)) {
            DownloadBudget.copyAtMost(body, out, max - from, what);
        } catch (UserInputException tooMuch) {
            Files.deleteIfExists(part);
            throw tooMuch;
        }
    }

    /** The URL's last path segment, or {@code download} when it has none. */
    private static String fileName(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() || last.equals(".") || last.equals("..") ? "download" : last;
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
