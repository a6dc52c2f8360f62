package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the runner knows of images in place of a registry: the entrypoint of an image, whether an
 * unknown one is an image pull error, and which images' exit 137 the kernel's OOM killer caused. An
 * image pattern is an exact reference or a prefix ending in {@code *}.
 */
final class ImageRules {
    private final Map<String, List<String>> entrypoints;
    private final List<String> oomKilledImages;
    private final boolean pullErrorForUnknownImages;

    ImageRules(
            Map<String, List<String>> entrypoints,
            List<String> oomKilledImages,
            boolean pullErrorForUnknownImages) {
        this.entrypoints = new LinkedHashMap<>(entrypoints);
        this.oomKilledImages = List.copyOf(oomKilledImages);
        this.pullErrorForUnknownImages = pullErrorForUnknownImages;
    }

    /** The registered entrypoint of the image (an exact entry before a prefix); null if none. */
    List<String> entrypoint(String image) {
        if (image == null) {
            return null;
        }
        List<String> exact = entrypoints.get(image);
        if (exact != null) {
            return exact;
        }
        return entrypoints.entrySet().stream()
                .filter(e -> e.getKey().endsWith("*") && matches(e.getKey(), image))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    /** Whether the container is reported as an image that cannot be pulled (ErrImagePull). */
    boolean cannotPull(Container c) {
        return pullErrorForUnknownImages
                && (c.getCommand() == null || c.getCommand().isEmpty())
                && entrypoint(c.getImage()) == null;
    }

    /** The reason of a terminated container, as the kubelet gives it. */
    String terminatedReason(Container c, int exitCode) {
        if (exitCode == 0) {
            return "Completed";
        }
        boolean oom =
                exitCode == 137 && oomKilledImages.stream().anyMatch(p -> matches(p, c.getImage()));
        return oom ? "OOMKilled" : "Error";
    }

    private static boolean matches(String pattern, String image) {
        if (image == null) {
            return false;
        }
        return pattern.endsWith("*")
                ? image.startsWith(pattern.substring(0, pattern.length() - 1))
                : pattern.equals(image);
    }
}
