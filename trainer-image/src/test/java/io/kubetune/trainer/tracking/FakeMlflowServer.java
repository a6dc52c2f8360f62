package io.kubetune.trainer.tracking;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * MLflow's REST endpoints as far as MlflowLog uses them, recording what arrives; it can be stopped
 * and started again on the same port, like a tracking server that goes down.
 */
final class FakeMlflowServer implements AutoCloseable {
    final List<JsonObject> metrics = new CopyOnWriteArrayList<>();
    final Map<String, String> params = new ConcurrentHashMap<>();
    final Map<String, String> tags = new ConcurrentHashMap<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile String experimentName;
    volatile String endStatus;
    private final int port;
    private HttpServer server;

    FakeMlflowServer() throws IOException {
        server = start(0);
        port = server.getAddress().getPort();
    }

    String uri() {
        return "http://127.0.0.1:" + port;
    }

    void stop() {
        server.stop(0);
    }

    void restart() throws IOException {
        server = start(port);
    }

    private HttpServer start(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
        s.createContext("/api/2.0/mlflow/", this::handle);
        s.start();
        return s;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String call = exchange.getRequestURI().getPath().substring("/api/2.0/mlflow/".length());
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonObject in =
                body.isEmpty() ? new JsonObject() : JsonParser.parseString(body).getAsJsonObject();
        switch (call) {
            case "experiments/get-by-name" ->
                    reply(exchange, 404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\"}");
            case "experiments/create" -> {
                experimentName = in.get("name").getAsString();
                reply(exchange, 200, "{\"experiment_id\":\"7\"}");
            }
            case "runs/create" -> {
                pairs(in, "tags", tags);
                reply(
                        exchange,
                        200,
                        "{\"run\":{\"info\":{\"run_id\":\"run-1\",\"experiment_id\":\"7\"}}}");
            }
            case "runs/log-batch" -> {
                in.getAsJsonArray("metrics").forEach(m -> metrics.add(m.getAsJsonObject()));
                pairs(in, "params", params);
                pairs(in, "tags", tags);
                reply(exchange, 200, "{}");
            }
            case "runs/update" -> {
                endStatus = in.get("status").getAsString();
                reply(exchange, 200, "{}");
            }
            default -> reply(exchange, 404, "{}");
        }
    }

    private static void pairs(JsonObject in, String field, Map<String, String> into) {
        if (in.has(field)) {
            for (JsonElement e : in.getAsJsonArray(field)) {
                JsonObject pair = e.getAsJsonObject();
                into.put(pair.get("key").getAsString(), pair.get("value").getAsString());
            }
        }
    }

    private static void reply(HttpExchange exchange, int code, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
