package io.kubetune.trainer.storage;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face hub's HTTP API, as {@code huggingface_hub} uses it: {@code
 * /api/{models|datasets}/{id}/revision/{rev}?blobs=true} resolves a revision to its commit and
 * lists the files (with the SHA-256 of LFS files); {@code /{id}/resolve/{commit}/{path}} downloads
 * one, usually through a redirect to a CDN. {@code HF_TOKEN} goes as a Bearer token to the hub
 * only, never to the CDN a redirect points at.
 */
public final class HubClient {
    public static final String TOKEN_ENV = "HF_TOKEN";
    public static final String ENDPOINT_ENV = "HF_ENDPOINT";
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final int MAX_REDIRECTS = 10;
    // the hub's list of a repository with thousands of files is a few MB
    private static final long MAX_LISTING_BYTES = 64L << 20;

    private final URI endpoint;
    private final String token;
    private final HttpClient http;

    public HubClient(String endpoint, String token) {
        this.endpoint = URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/");
        this.token = token == null || token.isBlank() ? null : token;
        this.http =
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build();
    }

    public static HubClient fromEnvironment(Map<String, String> env) {
        String endpoint = env.get(ENDPOINT_ENV);
        return new HubClient(
                endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint,
                env.get(TOKEN_ENV));
    }

    /** Resolves the repository's revision to a commit and lists its files. */
    public HubRevision revision(HubRepo repo, String field) throws IOException {
        URI uri =
                endpoint.resolve(
                        "api/"
                                + repo.apiKind()
                                + "/"
                                + repo.id()
                                + "/revision/"
                                + URLEncoder.encode(repo.revision(), StandardCharsets.UTF_8)
                                + "?blobs=true");
        HttpResponse<InputStream> response = send(uri, -1);
        String source = field + " " + repo + ": the hub";
        try (InputStream body = response.body()) {
            check(response.statusCode(), repo, repo.toString(), field);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            DownloadBudget.copyAtMost(body, answer, MAX_LISTING_BYTES, source + "'s file list");
            return parseRevision(answer.toString(StandardCharsets.UTF_8), source);
        }
    }

    /** The hub's answer, checked: a 40-hex commit and well-formed entries, or one clear error. */
    private static HubRevision parseRevision(String answer, String source) {
        JsonObject json;
        List<HubFile> files = new ArrayList<>();
        try {
            json = JsonParser.parseString(answer).getAsJsonObject();
            for (JsonElement e : json.getAsJsonArray("siblings")) {
                JsonObject s = e.getAsJsonObject();
                JsonObject lfs = s.has("lfs") ? s.getAsJsonObject("lfs") : null;
                long size =
                        lfs != null
                                ? lfs.get("size").getAsLong()
                                : s.has("size") ? s.get("size").getAsLong() : -1;
                files.add(
                        new HubFile(
                                s.get("rfilename").getAsString(),
                                size,
                                lfs != null ? lfs.get("sha256").getAsString() : null));
            }
        } catch (RuntimeException malformed) { // the body is not quoted: it is fetched content
            throw new UserInputException(
                    source
                            + " answered with something that is not a revision's file list;"
                            + " check that HF_ENDPOINT is a Hugging Face hub");
        }
        JsonElement sha = json.get("sha");
        String commit =
                RemotePaths.commit(
                        sha != null && sha.isJsonPrimitive() ? sha.getAsString() : null, source);
        return new HubRevision(commit, List.copyOf(files));
    }

    /**
     * Downloads one file of the commit to {@code target}: into {@code target.part} first,
     * continuing a part left by an earlier attempt with a Range request, then checked against the
     * hub's size and SHA-256 and moved into place. More than {@code maxBytes} is refused and the
     * part deleted.
     */
    public void download(
            HubRepo repo, String commit, HubFile file, Path target, String field, long maxBytes)
            throws IOException {
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (file.size() >= 0 && have > file.size()) {
            Files.delete(part);
            have = 0;
        }
        String what = repo + " file " + file.path();
        if (file.size() < 0 || have < file.size()) {
            URI uri =
                    endpoint.resolve(
                            repo.urlPrefix()
                                    + "/resolve/"
                                    + commit
                                    + "/"
                                    + encodePath(file.path()));
            HttpResponse<InputStream> response = send(uri, have);
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status != 416) { // 416: the part already holds every byte
                    check(status, repo, what, field);
                    boolean append = status == 206;
                    try (OutputStream out =
                            Files.newOutputStream(
                                    part,
                                    StandardOpenOption.CREATE,
                                    append
                                            ? StandardOpenOption.APPEND
                                            : StandardOpenOption.TRUNCATE_EXISTING,
                                    StandardOpenOption.WRITE)) {
                        DownloadBudget.copyAtMost(
                                body, out, maxBytes - (append ? have : 0), field + " " + what);
                    } catch (UserInputException tooMuch) {
                        Files.deleteIfExists(part);
                        throw tooMuch;
                    }
                }
            }
        }
        verify(part, file, what);
        Files.move(
                part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void verify(Path part, HubFile file, String what) throws IOException {
        long size = Files.size(part);
        if (file.size() >= 0 && size != file.size()) {
            throw new IOException(
                    what + ": got " + size + " bytes, the hub lists " + file.size() + "; retry");
        }
        if (file.sha256() != null) {
            String actual = Checksums.sha256(part);
            if (!actual.equalsIgnoreCase(file.sha256())) {
                Files.delete(part); // a corrupt part must not be resumed
                throw new IOException(
                        what
                                + ": checksum mismatch (sha256 "
                                + actual
                                + ", the hub lists "
                                + file.sha256()
                                + "); the download was discarded, retry");
            }
        }
    }

    /** GET, following redirects by hand so the token is sent to the hub's own host only. */
    private HttpResponse<InputStream> send(URI uri, long rangeFrom) throws IOException {
        URI current = uri;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(current).timeout(Duration.ofMinutes(10)).GET();
            if (token != null && mayCarryToken(current, endpoint)) {
                request.header("Authorization", "Bearer " + token);
            }
            if (rangeFrom > 0) {
                request.header("Range", "bytes=" + rangeFrom + "-");
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading from " + endpoint, e);
            }
            int status = response.statusCode();
            if (status < 300 || status >= 400 || status == 304) {
                return response;
            }
            String location = response.headers().firstValue("Location").orElse(null);
            response.body().close();
            if (location == null) {
                throw new IOException(endpoint + " answered " + status + " with no Location");
            }
            URI next = current.resolve(location);
            if ("https".equalsIgnoreCase(current.getScheme())
                    && !"https".equalsIgnoreCase(next.getScheme())) {
                throw new IOException(
                        uri + " was redirected from https to plain http; refused (not followed)");
            }
            current = next;
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    private void check(int status, HubRepo repo, String what, String field) {
        if (status == 200 || status == 206) {
            return;
        }
        String secretField =
                field.startsWith("spec.model") ? "spec.model.secretRef" : "a secretRef";
        if (status == 401 || status == 403) {
            throw new IllegalArgumentException(
                    field
                            + " "
                            + what
                            + ": the hub answered "
                            + status
                            + (token == null
                                    ? " (gated or private repository and no token): set HF_TOKEN"
                                            + " via "
                                            + secretField
                                    : " with the token given: accept the repository's terms on"
                                            + " the hub or use a token that may read it (HF_TOKEN"
                                            + " via "
                                            + secretField
                                            + ")"));
        }
        if (status == 404) {
            throw new IllegalArgumentException(
                    field
                            + " "
                            + what
                            + " was not found at revision "
                            + repo.revision()
                            + ": check the name and the revision"
                            + (token == null ? " (a private repository needs HF_TOKEN)" : ""));
        }
        throw new IllegalStateException(
                field + " " + what + ": the hub answered HTTP " + status + "; retry later");
    }

    /** The token goes only to the hub itself: same scheme, host and port as the endpoint. */
    static boolean mayCarryToken(URI target, URI endpoint) {
        return target.getHost() != null
                && target.getHost().equalsIgnoreCase(endpoint.getHost())
                && port(target) == port(endpoint)
                && endpoint.getScheme().equalsIgnoreCase(target.getScheme());
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
