package io.kubetune.trainer.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's hyperparameters as flat {@code name=value} pairs ({@code training.learningRate=2e-4}):
 * what MLflow logs as params and TensorBoard shows as text. Taken from the spec itself so a new
 * field shows up without code here.
 */
public final class RunParams {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunParams() {}

    public static Map<String, String> of(FineTuneJobSpec spec) {
        Map<String, String> params = new TreeMap<>();
        params.put("stage", JSON.valueToTree(spec.stage).asText());
        params.put("model.uri", withoutUserInfo(spec.model.uri));
        flatten("training", JSON.valueToTree(spec.training), params);
        flatten("method", JSON.valueToTree(spec.method), params);
        return params;
    }

    /** A Markdown table of the params, for TensorBoard's Text tab. */
    public static String markdown(Map<String, String> params) {
        StringBuilder table = new StringBuilder("| param | value |\n|---|---|\n");
        params.forEach(
                (k, v) -> table.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        return table.toString();
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> flatten(prefix + "." + e.getKey(), e.getValue(), into));
        } else if (node.isArray()) {
            into.put(prefix, node.toString());
        } else {
            into.put(prefix, node.asText());
        }
    }

    /** https://user:token@host/... never reaches a tracking server. */
    private static String withoutUserInfo(String uri) {
        if (uri == null) {
            return "";
        }
        try {
            URI parsed = URI.create(uri);
            if (parsed.getRawUserInfo() == null) {
                return uri;
            }
            return new URI(
                            parsed.getScheme(),
                            null,
                            parsed.getHost(),
                            parsed.getPort(),
                            parsed.getPath(),
                            null,
                            null)
                    .toString();
        } catch (Exception e) {
            return uri.replaceAll("//[^/@]*@", "//");
        }
    }
}
