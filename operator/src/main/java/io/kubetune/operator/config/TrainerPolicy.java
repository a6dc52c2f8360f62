package io.kubetune.operator.config;

import io.kubetune.api.v1alpha1.ResourcesSpec;
import io.kubetune.api.v1alpha1.RunSpec;
import io.kubetune.api.v1alpha1.Toleration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a cluster administrator allows in a job's pod: images, node selectors and toleration keys.
 * An empty list allows anything. A job outside fails with InvalidSpec before any pod exists: a user
 * who may create FineTuneJobs must not run any image on any node through the operator.
 *
 * @param images allowed images; an entry ending in {@code *} allows every image it prefixes
 * @param nodeSelectors allowed {@code key=value} node selector entries ({@code key=*}: any value)
 * @param tolerationKeys allowed toleration keys
 */
public record TrainerPolicy(
        List<String> images, List<String> nodeSelectors, List<String> tolerationKeys) {

    public static final TrainerPolicy OPEN = new TrainerPolicy(List.of(), List.of(), List.of());

    public TrainerPolicy {
        images = List.copyOf(images);
        nodeSelectors = List.copyOf(nodeSelectors);
        tolerationKeys = List.copyOf(tolerationKeys);
    }

    /** The first field of {@code run} outside the policy, as one line naming it, or empty. */
    public Optional<String> violation(RunSpec run) {
        if (run.image != null && !run.image.isBlank() && !allowed(images, run.image)) {
            return Optional.of(refuse("spec.image", run.image, images));
        }
        ResourcesSpec res = run.resources;
        if (res == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> e :
                res.nodeSelector == null
                        ? Map.<String, String>of().entrySet()
                        : res.nodeSelector.entrySet()) {
            String entry = e.getKey() + "=" + e.getValue();
            if (!allowed(nodeSelectors, entry) && !allowed(nodeSelectors, e.getKey() + "=*")) {
                return Optional.of(refuse("spec.resources.nodeSelector", entry, nodeSelectors));
            }
        }
        for (Toleration t : res.tolerations == null ? List.<Toleration>of() : res.tolerations) {
            String key = t.key == null ? "" : t.key;
            if (!tolerationKeys.isEmpty() && !tolerationKeys.contains(key)) {
                return Optional.of(refuse("spec.resources.tolerations[].key", key, tolerationKeys));
            }
        }
        return Optional.empty();
    }

    private static boolean allowed(List<String> allowed, String value) {
        return allowed.isEmpty()
                || allowed.stream()
                        .anyMatch(
                                a ->
                                        a.endsWith("*") && !a.endsWith("=*")
                                                ? value.startsWith(a.substring(0, a.length() - 1))
                                                : a.equals(value));
    }

    private static String refuse(String field, String value, List<String> allowed) {
        return field
                + ": "
                + (value.isEmpty() ? "(empty)" : value)
                + " is not allowed by the operator's policy; allowed: "
                + String.join(", ", allowed)
                + " (ask the cluster administrator, or use one of these)";
    }
}
