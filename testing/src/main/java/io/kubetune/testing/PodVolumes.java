package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.testing.ReferencedData.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A pod's volumes as directories: ConfigMap, Secret, projected (ConfigMap, Secret, downward API,
 * service-account token) and downward API volumes written as files, emptyDir an empty directory, a
 * persistentVolumeClaim a directory per claim shared by all pods of the runner (so a retried pod
 * sees its predecessor's checkpoints).
 */
final class PodVolumes {
    private final KubernetesClient client;
    private final ReferencedData data;
    private final Path claimsDir;
    private final PodPaths paths;
    private final Pod pod;
    private final Consumer<String> log;

    PodVolumes(
            KubernetesClient client,
            ReferencedData data,
            Path claimsDir,
            PodPaths paths,
            Pod pod,
            Consumer<String> log) {
        this.client = client;
        this.data = data;
        this.claimsDir = claimsDir;
        this.paths = paths;
        this.pod = pod;
        this.log = log;
    }

    /** Writes every volume; returns volume name to its directory. */
    Map<String, Path> materialize() throws IOException, PodSetupException {
        Map<String, Path> dirs = new HashMap<>();
        for (Volume v : orEmpty(pod.getSpec().getVolumes())) {
            Path dir =
                    v.getPersistentVolumeClaim() != null
                            ? claimsDir.resolve(v.getPersistentVolumeClaim().getClaimName())
                            : paths.volumeDir(v.getName());
            Files.createDirectories(dir);
            if (v.getConfigMap() != null) {
                var cm = v.getConfigMap();
                writeObject(dir, Kind.CONFIG_MAP, cm.getName(), cm.getOptional(), cm.getItems());
            } else if (v.getSecret() != null) {
                var s = v.getSecret();
                writeObject(dir, Kind.SECRET, s.getSecretName(), s.getOptional(), s.getItems());
            } else if (v.getProjected() != null) {
                for (VolumeProjection p : orEmpty(v.getProjected().getSources())) {
                    writeProjection(dir, p);
                }
            } else if (v.getDownwardAPI() != null) {
                writeDownward(dir, v.getDownwardAPI().getItems());
            } else if (v.getEmptyDir() == null && v.getPersistentVolumeClaim() == null) {
                log.accept("volume " + v.getName() + ": unsupported type, an empty directory");
            }
            dirs.put(v.getName(), dir);
        }
        return dirs;
    }

    private void writeProjection(Path dir, VolumeProjection p)
            throws IOException, PodSetupException {
        if (p.getConfigMap() != null) {
            ConfigMapProjection cm = p.getConfigMap();
            writeObject(dir, Kind.CONFIG_MAP, cm.getName(), cm.getOptional(), cm.getItems());
        } else if (p.getSecret() != null) {
            SecretProjection s = p.getSecret();
            writeObject(dir, Kind.SECRET, s.getName(), s.getOptional(), s.getItems());
        } else if (p.getDownwardAPI() != null) {
            writeDownward(dir, p.getDownwardAPI().getItems());
        } else if (p.getServiceAccountToken() != null) {
            ServiceAccountTokenProjection t = p.getServiceAccountToken();
            write(dir.resolve(t.getPath()), serviceAccountToken(t));
        }
    }

    /** All keys of the object, or only the listed items at their paths. */
    private void writeObject(
            Path dir, Kind kind, String name, Boolean optional, List<KeyToPath> items)
            throws IOException, PodSetupException {
        Map<String, byte[]> values = data.all(kind, name, Boolean.TRUE.equals(optional));
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                write(dir.resolve(e.getKey()), e.getValue());
            }
            return;
        }
        for (KeyToPath item : items) {
            byte[] v = values.get(item.getKey());
            if (v == null) {
                if (!values.isEmpty()) {
                    throw new PodSetupException("key " + item.getKey() + " not found");
                }
                continue;
            }
            write(dir.resolve(item.getPath()), v);
        }
    }

    private void writeDownward(Path dir, List<DownwardAPIVolumeFile> items) throws IOException {
        for (DownwardAPIVolumeFile f : orEmpty(items)) {
            String value =
                    f.getFieldRef() != null
                            ? DownwardApi.field(pod, f.getFieldRef())
                            : DownwardApi.resource(
                                    pod.getSpec().getContainers().get(0), f.getResourceFieldRef());
            write(dir.resolve(f.getPath()), value);
        }
    }

    /** A real token bound to the pod, so a client inside the process is the service account. */
    private String serviceAccountToken(ServiceAccountTokenProjection t) {
        String sa = Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
        TokenRequest req =
                new TokenRequestBuilder()
                        .withNewSpec()
                        .withAudiences(
                                t.getAudience() == null || t.getAudience().isEmpty()
                                        ? List.of()
                                        : List.of(t.getAudience()))
                        .withExpirationSeconds(
                                Optional.ofNullable(t.getExpirationSeconds()).orElse(3607L))
                        .withNewBoundObjectRef()
                        .withApiVersion("v1")
                        .withKind("Pod")
                        .withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid())
                        .endBoundObjectRef()
                        .endSpec()
                        .build();
        return client.serviceAccounts()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(sa)
                .tokenRequest(req)
                .getStatus()
                .getToken();
    }

    private static void write(Path file, String content) throws IOException {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return Objects.requireNonNullElse(l, List.of());
    }
}
