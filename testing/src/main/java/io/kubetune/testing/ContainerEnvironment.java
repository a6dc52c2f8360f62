package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubetune.testing.ReferencedData.Kind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: envFrom, then env with values from
 * ConfigMaps, Secrets and the downward API, {@code $(VAR)} expanded; the API server is the real
 * one, and a mounted service-account volume lets a Fabric8 client inside authenticate as the pod.
 */
final class ContainerEnvironment {
    private static final String SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static final Pattern VAR_REF =
            Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");

    private final URI apiServer;
    private final ReferencedData data;
    private final Pod pod;
    private final boolean inheritEnvironment;

    ContainerEnvironment(URI apiServer, ReferencedData data, Pod pod, boolean inheritEnvironment) {
        this.apiServer = apiServer;
        this.data = data;
        this.pod = pod;
        this.inheritEnvironment = inheritEnvironment;
    }

    /**
     * The environment of {@code c}, its values' container paths replaced by host paths ({@code
     * substitutions}); {@code mounts} is mountPath to host path.
     */
    Map<String, String> of(
            Container c, Path root, Map<String, String> substitutions, Map<String, String> mounts)
            throws PodSetupException {
        Map<String, String> env = new LinkedHashMap<>();
        if (inheritEnvironment) {
            env.putAll(System.getenv());
            env.remove("KUBECONFIG");
        }
        env.put("HOSTNAME", pod.getMetadata().getName());
        env.put("KUBERNETES_SERVICE_HOST", apiServer.getHost());
        env.put("KUBERNETES_SERVICE_PORT", String.valueOf(apiServer.getPort()));
        env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(apiServer.getPort()));
        env.put(TestPodRunner.ROOT_ENV, root.toString());
        String sa = mounts.get(SA_MOUNT);
        if (sa != null) {
            env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", sa + "/token");
            env.put("KUBERNETES_CERTS_CA_FILE", sa + "/ca.crt");
            env.put("KUBERNETES_NAMESPACE", pod.getMetadata().getNamespace());
        }
        Map<String, String> containerEnv = new LinkedHashMap<>();
        for (EnvFromSource from : orEmpty(c.getEnvFrom())) {
            String prefix = Optional.ofNullable(from.getPrefix()).orElse("");
            Map<String, byte[]> values;
            if (from.getConfigMapRef() != null) {
                var ref = from.getConfigMapRef();
                values = data.all(Kind.CONFIG_MAP, ref.getName(), isTrue(ref.getOptional()));
            } else if (from.getSecretRef() != null) {
                var ref = from.getSecretRef();
                values = data.all(Kind.SECRET, ref.getName(), isTrue(ref.getOptional()));
            } else {
                continue;
            }
            values.forEach(
                    (k, v) -> containerEnv.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
        }
        for (EnvVar e : orEmpty(c.getEnv())) {
            String value;
            if (e.getValueFrom() != null) {
                value = resolve(c, e.getValueFrom());
                if (value == null) {
                    continue; // optional and missing
                }
            } else {
                value = expand(Optional.ofNullable(e.getValue()).orElse(""), containerEnv);
            }
            containerEnv.put(e.getName(), value);
        }
        containerEnv.replaceAll((k, v) -> PodPaths.substitute(v, substitutions));
        env.putAll(containerEnv);
        return env;
    }

    private String resolve(Container c, EnvVarSource src) throws PodSetupException {
        if (src.getConfigMapKeyRef() != null) {
            var ref = src.getConfigMapKeyRef();
            return data.value(
                    Kind.CONFIG_MAP, ref.getName(), ref.getKey(), isTrue(ref.getOptional()));
        }
        if (src.getSecretKeyRef() != null) {
            var ref = src.getSecretKeyRef();
            return data.value(Kind.SECRET, ref.getName(), ref.getKey(), isTrue(ref.getOptional()));
        }
        if (src.getFieldRef() != null) {
            return DownwardApi.field(pod, src.getFieldRef());
        }
        if (src.getResourceFieldRef() != null) {
            return DownwardApi.resource(c, src.getResourceFieldRef());
        }
        return null;
    }

    /**
     * Kubernetes {@code $(VAR)} expansion: defined variables are replaced, {@code $$} is {@code $}.
     */
    static String expand(String s, Map<String, String> env) {
        Matcher m = VAR_REF.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String rep = m.group(1) == null ? "$" : env.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(rep));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return Objects.requireNonNullElse(l, List.of());
    }
}
