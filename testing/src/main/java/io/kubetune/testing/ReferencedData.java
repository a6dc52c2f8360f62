package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data of the ConfigMaps and Secrets a pod refers to (volumes, envFrom, env keys), key to
 * bytes: the one place that knows how each kind stores its values.
 */
final class ReferencedData {

    /** The two kinds of object a pod takes data from. */
    enum Kind {
        CONFIG_MAP("configmap"),
        SECRET("secret");

        private final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    private final KubernetesClient client;
    private final String namespace;

    ReferencedData(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Every key of the object; empty when it is missing and optional. */
    Map<String, byte[]> all(Kind kind, String name, boolean optional) throws PodSetupException {
        Map<String, String> text;
        Map<String, String> base64;
        if (kind == Kind.CONFIG_MAP) {
            ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
            text = cm == null ? null : orEmpty(cm.getData());
            base64 = cm == null ? null : orEmpty(cm.getBinaryData());
        } else {
            Secret s = client.secrets().inNamespace(namespace).withName(name).get();
            text = s == null ? null : orEmpty(s.getStringData());
            base64 = s == null ? null : orEmpty(s.getData());
        }
        if (text == null) {
            if (optional) {
                return Map.of();
            }
            throw new PodSetupException(kind.word + " " + namespace + "/" + name + " not found");
        }
        // the API server keeps the two maps' keys apart, so their order does not matter
        Map<String, byte[]> data = new LinkedHashMap<>();
        base64.forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        text.forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return data;
    }

    /** One key as text; null when the object or the key is missing and optional. */
    String value(Kind kind, String name, String key, boolean optional) throws PodSetupException {
        byte[] v = all(kind, name, optional).get(key);
        if (v == null && !optional) {
            throw new PodSetupException(kind.word + " " + name + " has no key " + key);
        }
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
