package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a pod's container paths lie on the host: under the directory that stands for its "/", each
 * volumeMount a symbolic link to its volume's directory; and container paths in strings replaced by
 * those host paths.
 */
final class PodPaths {
    private final Path root;

    PodPaths(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The host path of a container path; it may not leave the root. */
    Path hostPath(String containerPath) {
        String rel = containerPath.replaceAll("^/+", "");
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("path escapes the pod root: " + containerPath);
        }
        return p;
    }

    Path logDir() {
        return root.resolve(".kubetune-logs");
    }

    /** The combined stdout and stderr of a container, all its restarts. */
    Path logFile(String container) {
        return logDir().resolve(container + ".log");
    }

    /** The directory of a volume that lives with the pod. */
    Path volumeDir(String volume) {
        return root.resolve(".kubetune-volumes").resolve(volume);
    }

    /**
     * Links the container's mounts under the root to their volumes; returns mountPath to host path.
     */
    Map<String, String> linkMounts(Container c, Map<String, Path> volumes) throws IOException {
        Map<String, String> map = new HashMap<>();
        for (VolumeMount m :
                Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
            Path target = volumes.get(m.getName());
            if (target == null) {
                continue;
            }
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                target = target.resolve(m.getSubPath());
                if (!Files.exists(target)) {
                    Files.createDirectories(target);
                }
            }
            Path link = hostPath(m.getMountPath());
            Files.createDirectories(link.getParent());
            if (Files.isSymbolicLink(link)) {
                Files.delete(link);
            }
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, target);
            }
            map.put(stripTrailingSlash(m.getMountPath()), link.toString());
        }
        return map;
    }

    /**
     * Replaces container paths (keys) by host paths (values) where they occur as paths: not
     * preceded by a letter, digit, '_', '.', '/' or '-', and followed by '/' or anything but a
     * letter, digit, '_', '.' or '-' (so {@code /data} matches in {@code --dir=/data/x} and {@code
     * cat /data;} but not in {@code /data2} or {@code s3://b/data}).
     */
    static String substitute(String s, Map<String, String> paths) {
        if (s == null || paths.isEmpty()) {
            return s;
        }
        List<String> keys = new ArrayList<>(paths.keySet());
        keys.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder alt = new StringBuilder();
        for (String k : keys) {
            if (alt.length() > 0) {
                alt.append('|');
            }
            alt.append(Pattern.quote(k));
        }
        Pattern p = Pattern.compile("(?<![\\w./-])(" + alt + ")(?![\\w.-])");
        Matcher m = p.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(paths.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripTrailingSlash(String p) {
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
