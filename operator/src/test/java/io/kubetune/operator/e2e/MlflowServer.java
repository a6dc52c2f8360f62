package io.kubetune.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Reads a run back from a real MLflow tracking server through its REST API, as a user's tool. */
record MlflowServer(String uri) {
    JsonNode run(String runId) throws Exception {
        return get("runs/get?run_id=" + runId).get("run");
    }

    /** The run's params or tags as a map. */
    static Map<String, String> pairs(JsonNode run, String field) {
        Map<String, String> map = new TreeMap<>();
        run.get("data")
                .path(field)
                .forEach(p -> map.put(p.get("key").asText(), p.get("value").asText()));
        return map;
    }

    /** Every value of every metric, as {@code key@step}. */
    Map<String, Double> metrics(JsonNode run) throws Exception {
        Map<String, Double> values = new TreeMap<>();
        String runId = run.get("info").get("run_id").asText();
        for (JsonNode latest : run.get("data").path("metrics")) {
            String key = latest.get("key").asText();
            JsonNode history =
                    get(
                            "metrics/get-history?max_results=25000&run_id="
                                    + runId
                                    + "&metric_key="
                                    + URLEncoder.encode(key, StandardCharsets.UTF_8));
            history.get("metrics")
                    .forEach(
                            m ->
                                    values.put(
                                            key + "@" + m.get("step").asLong(),
                                            m.get("value").asDouble()));
        }
        return values;
    }

    private JsonNode get(String call) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/" + call))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(call + ": " + r.body()).isEqualTo(200);
        return Serialization.jsonMapper().readTree(r.body());
    }
}
