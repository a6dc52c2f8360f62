package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The values of the downward API (fieldRef, resourceFieldRef) for env and volumes. */
final class DownwardApi {
    private static final Pattern LABEL_OR_ANNOTATION =
            Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]");

    private DownwardApi() {}

    static String field(Pod pod, ObjectFieldSelector ref) {
        String path = ref.getFieldPath();
        ObjectMeta meta = pod.getMetadata();
        Matcher m = LABEL_OR_ANNOTATION.matcher(path);
        if (m.matches()) {
            Map<String, String> map =
                    m.group(1).equals("labels") ? meta.getLabels() : meta.getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> meta.getName();
            case "metadata.namespace" -> meta.getNamespace();
            case "metadata.uid" -> meta.getUid();
            case "metadata.labels" -> format(meta.getLabels());
            case "metadata.annotations" -> format(meta.getAnnotations());
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" ->
                    Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
            case "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs" -> "127.0.0.1";
            default -> "";
        };
    }

    static String resource(Container c, ResourceFieldSelector ref) {
        String res = ref.getResource();
        String kind = res.substring(0, res.indexOf('.'));
        String resource = res.substring(res.indexOf('.') + 1);
        var reqs = c.getResources();
        Map<String, Quantity> map =
                reqs == null ? null : kind.equals("limits") ? reqs.getLimits() : reqs.getRequests();
        Quantity q = map == null ? null : map.get(resource);
        if (q == null) {
            // the kubelet reports node allocatable for unset limits; the fake nodes have 32 CPUs
            q = Quantity.parse(resource.equals("cpu") ? "32" : "256Gi");
        }
        BigDecimal value = q.getNumericalAmount();
        BigDecimal divisor =
                ref.getDivisor() == null ? BigDecimal.ONE : ref.getDivisor().getNumericalAmount();
        return value.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }

    /** Labels or annotations as the kubelet writes them: sorted {@code key="value"} lines. */
    private static String format(Map<String, String> map) {
        if (map == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(map)
                .forEach(
                        (k, v) ->
                                sb.append(k)
                                        .append("=\"")
                                        .append(v.replace("\"", "\\\""))
                                        .append("\"\n"));
        return sb.toString().stripTrailing();
    }
}
