package io.kubetune.trainer.tracking;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few calls of MLflow's REST API (2.0) a training run needs. MLflow's Java client stopped at
 * 2.17 and bundles its own HTTP and protobuf stacks; these five JSON calls over the JDK's client
 * need nothing. Errors name the call and the HTTP status only: a server's reply is never echoed.
 */
public final class MlflowRest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** One metric value at a step; {@code timestamp} in epoch milliseconds. */
    public record Metric(String key, double value, long timestamp, long step) {}

    private final URI base;
    private final Optional<String> authorization;
    private final HttpClient http;
    private final Gson gson = new Gson();

    /**
     * @param env MLFLOW_TRACKING_TOKEN (bearer), or MLFLOW_TRACKING_USERNAME and
     *     MLFLOW_TRACKING_PASSWORD (basic)
     */
    public MlflowRest(String trackingUri, Map<String, String> env) {
        this.base = URI.create(trackingUri.endsWith("/") ? trackingUri : trackingUri + "/");
        this.authorization = authorization(env);
        this.http =
                HttpClient.newBuilder()
                        // no h2c upgrade attempt on http:// (MLflow's uvicorn refuses it)
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(CONNECT_TIMEOUT)
                        .build();
    }

    private static Optional<String> authorization(Map<String, String> env) {
        String token = env.get("MLFLOW_TRACKING_TOKEN");
        if (token != null && !token.isBlank()) {
            return Optional.of("Bearer " + token);
        }
        String user = env.get("MLFLOW_TRACKING_USERNAME");
        String password = env.get("MLFLOW_TRACKING_PASSWORD");
        if (user != null && password != null) {
            String pair = user + ":" + password;
            return Optional.of(
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    /** The id of the named experiment, created when missing. */
    public String experimentId(String name) throws IOException {
        String query = "experiment_name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        HttpResponse<String> found = send("experiments/get-by-name?" + query, null);
        if (found.statusCode() == 200) {
            return json(found).getAsJsonObject("experiment").get("experiment_id").getAsString();
        }
        if (found.statusCode() != 404) {
            throw failed("experiments/get-by-name", found);
        }
        JsonObject create = new JsonObject();
        create.addProperty("name", name);
        return json(ok("experiments/create", create)).get("experiment_id").getAsString();
    }

    /** Starts a run; returns its id. */
    public String createRun(String experimentId, String runName, Map<String, String> tags)
            throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("experiment_id", experimentId);
        body.addProperty("run_name", runName);
        body.addProperty("start_time", System.currentTimeMillis());
        body.add("tags", pairs(tags));
        JsonObject run = json(ok("runs/create", body)).getAsJsonObject("run");
        return run.getAsJsonObject("info").get("run_id").getAsString();
    }

    /** At most 1000 metrics, 100 params and 100 tags per call (MLflow's limits). */
    public void logBatch(
            String runId,
            List<Metric> metrics,
            Map<String, String> params,
            Map<String, String> tags)
            throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("run_id", runId);
        body.add("metrics", gson.toJsonTree(metrics));
        body.add("params", pairs(params));
        body.add("tags", pairs(tags));
        ok("runs/log-batch", body);
    }

    /**
     * @param status FINISHED, FAILED or KILLED
     */
    public void endRun(String runId, String status) throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("run_id", runId);
        body.addProperty("status", status);
        body.addProperty("end_time", System.currentTimeMillis());
        ok("runs/update", body);
    }

    /** Where the run is seen in MLflow's UI. */
    public String runUrl(String experimentId, String runId) {
        return base.resolve("#/experiments/" + experimentId + "/runs/" + runId).toString();
    }

    private static JsonArray pairs(Map<String, String> values) {
        JsonArray array = new JsonArray();
        values.forEach(
                (k, v) -> {
                    JsonObject pair = new JsonObject();
                    pair.addProperty("key", k);
                    pair.addProperty("value", v);
                    array.add(pair);
                });
        return array;
    }

    private HttpResponse<String> ok(String call, JsonObject body) throws IOException {
        HttpResponse<String> response = send(call, body);
        if (response.statusCode() != 200) {
            throw failed(call, response);
        }
        return response;
    }

    private HttpResponse<String> send(String call, JsonObject body) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve("api/2.0/mlflow/" + call)).timeout(TIMEOUT);
        authorization.ifPresent(a -> request.header("Authorization", a));
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(gson.toJson(body)));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // a refused connection has no message: name the call and the failure's kind
            throw new IOException(
                    "MLflow " + call + " at " + base + " failed: " + e.getClass().getSimpleName(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("MLflow " + call + " interrupted", e);
        }
    }

    private static IOException failed(String call, HttpResponse<String> response) {
        return new IOException("MLflow " + call + " answered HTTP " + response.statusCode());
    }

    private static JsonObject json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }
}
