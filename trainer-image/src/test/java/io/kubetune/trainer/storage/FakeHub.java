package io.kubetune.trainer.storage;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for the Hugging Face hub with its HTTP layout: {@code
 * /api/{models|datasets}/{id}/revision/{rev}} (commit + siblings, LFS ones with sha256), {@code
 * /{id}/resolve/{commit}/{path}} answering 302 to a {@code /cdn/} path for LFS files, Range
 * requests on the CDN, 401 for a gated repository without the token.
 */
final class FakeHub implements AutoCloseable {
    static final String TOKEN = "hf_test_token_value";

    /** One commit of a repository: its files (path → bytes) and which are LFS. */
    record Commit(String sha, Map<String, byte[]> files, boolean lfsChecksumsWrong) {}

    private final HttpServer server;
    private final Map<String, Map<String, Commit>> repos = new LinkedHashMap<>();
    private final Map<String, Boolean> gated = new LinkedHashMap<>();
    final AtomicLong cdnBytesSent = new AtomicLong();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizationsAtCdn = new CopyOnWriteArrayList<>();

    /** A hostile hub: these bytes for every download path, whatever the file list said. */
    volatile byte[] anyDownload;

    FakeHub() throws IOException {
        // every interface: the CDN is reached as "localhost", the hub as 127.0.0.1
        server = HttpServer.create(new InetSocketAddress(0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * @param id {@code org/name} or {@code datasets/org/name}
     */
    void add(String id, String revision, Commit commit, boolean isGated) {
        repos.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(revision, commit);
        repos.get(id).put(commit.sha(), commit);
        gated.put(id, isGated);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(path);
        try (ex) {
            if (path.startsWith("/api/")) {
                api(ex, path.substring("/api/".length()));
            } else if (anyDownload != null) {
                cdnBytesSent.addAndGet(anyDownload.length);
                send(ex, 200, anyDownload, 0);
            } else if (path.startsWith("/cdn/")) {
                cdn(ex, path.substring("/cdn/".length()));
            } else {
                resolve(ex, path.substring(1));
            }
        }
    }

    private void api(HttpExchange ex, String rest) throws IOException {
        // models/org/name/revision/rev or datasets/org/name/revision/rev
        String kind = rest.substring(0, rest.indexOf('/'));
        String afterKind = rest.substring(kind.length() + 1);
        int rev = afterKind.indexOf("/revision/");
        String id = (kind.equals("datasets") ? "datasets/" : "") + afterKind.substring(0, rev);
        Commit c = lookup(ex, id, afterKind.substring(rev + "/revision/".length()));
        if (c == null) {
            return;
        }
        JsonArray siblings = new JsonArray();
        c.files()
                .forEach(
                        (name, bytes) -> {
                            JsonObject s = new JsonObject();
                            s.addProperty("rfilename", name);
                            s.addProperty("size", bytes.length);
                            if (isLfs(name)) {
                                JsonObject lfs = new JsonObject();
                                lfs.addProperty(
                                        "sha256",
                                        c.lfsChecksumsWrong()
                                                ? sha256(new byte[1])
                                                : sha256(bytes));
                                lfs.addProperty("size", bytes.length);
                                s.add("lfs", lfs);
                            }
                            siblings.add(s);
                        });
        JsonObject info = new JsonObject();
        info.addProperty("id", id);
        info.addProperty("sha", c.sha());
        info.add("siblings", siblings);
        send(ex, 200, info.toString().getBytes(StandardCharsets.UTF_8), 0);
    }

    private void resolve(HttpExchange ex, String rest) throws IOException {
        int at = rest.indexOf("/resolve/");
        if (at < 0) {
            send(ex, 404, new byte[0], 0);
            return;
        }
        String id = rest.substring(0, at);
        String afterResolve = rest.substring(at + "/resolve/".length());
        String commit = afterResolve.substring(0, afterResolve.indexOf('/'));
        String file = afterResolve.substring(commit.length() + 1);
        Commit c = lookup(ex, id, commit);
        if (c == null) {
            return;
        }
        if (!c.files().containsKey(file)) {
            send(ex, 404, new byte[0], 0);
        } else if (isLfs(file)) {
            // LFS files live on a CDN, another host, as on the real hub
            ex.getResponseHeaders()
                    .add(
                            "Location",
                            "http://localhost:"
                                    + server.getAddress().getPort()
                                    + "/cdn/"
                                    + c.sha()
                                    + "/"
                                    + file);
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(c.files().get(file)) + "\"");
            ex.sendResponseHeaders(302, -1);
        } else {
            send(ex, 200, c.files().get(file), 0);
        }
    }

    private void cdn(HttpExchange ex, String rest) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            authorizationsAtCdn.add(auth);
        }
        String sha = rest.substring(0, rest.indexOf('/'));
        byte[] bytes = null;
        for (Map<String, Commit> commits : repos.values()) {
            Commit c = commits.get(sha);
            if (c != null) {
                bytes = c.files().get(rest.substring(sha.length() + 1));
            }
        }
        if (bytes == null) {
            send(ex, 404, new byte[0], 0);
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        long from = range == null ? 0 : Long.parseLong(range.replaceAll("bytes=(\\d+)-.*", "$1"));
        if (from > 0) {
            ex.getResponseHeaders()
                    .add(
                            "Content-Range",
                            "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        send(ex, from > 0 ? 206 : 200, bytes, (int) from);
        cdnBytesSent.addAndGet(bytes.length - from);
    }

    private Commit lookup(HttpExchange ex, String id, String revision) throws IOException {
        Map<String, Commit> commits = repos.get(id);
        if (commits != null && gated.get(id)) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + TOKEN).equals(auth)) {
                send(ex, 401, "{\"error\":\"Access to model is restricted\"}".getBytes(), 0);
                return null;
            }
        }
        Commit c = commits == null ? null : commits.get(revision);
        if (c == null) {
            send(ex, 404, "{\"error\":\"Repository not found\"}".getBytes(), 0);
        }
        return c;
    }

    private static boolean isLfs(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".parquet") || name.endsWith(".bin");
    }

    private static void send(HttpExchange ex, int status, byte[] body, int from)
            throws IOException {
        ex.sendResponseHeaders(status, body.length - from == 0 ? -1 : body.length - from);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body, from, body.length - from);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
