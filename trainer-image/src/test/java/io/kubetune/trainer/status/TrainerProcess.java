package io.kubetune.trainer.status;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The trainer's shaded jar run as a child process, as the container runs it. */
final class TrainerProcess {
    private TrainerProcess() {}

    static Path jar() {
        Path jar =
                Path.of(System.getProperty("kubetune.trainerJar", "target/kubetune-trainer.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the ITs run after `package`");
        }
        return jar.toAbsolutePath();
    }

    /** {@code java ... -jar kubetune-trainer.jar ARGS} with libtorch on one thread. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        // One thread: the machine is shared and OpenMP hand-offs cost 5-10x under contention.
        command.add("-Dai.djl.pytorch.num_threads=1");
        command.add("-Dai.djl.pytorch.num_interop_threads=1");
        command.add("-Dai.djl.offline=true");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts the trainer in {@code dir} with {@code env} added; stdout and stderr go to log. */
    static Process start(Path dir, Map<String, String> env, Path log, String... args)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(dir.toFile());
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb.start();
    }

    /**
     * The environment of a pod whose service account has {@code token}, as the kubelet gives it:
     * fabric8 inside the trainer configures itself from these.
     */
    static Map<String, String> inClusterEnv(Config admin, String token, String namespace, Path dir)
            throws IOException {
        URI api = URI.create(admin.getMasterUrl());
        Path tokenFile = Files.writeString(dir.resolve("token"), token);
        Path caFile = dir.resolve("ca.crt");
        if (admin.getCaCertData() != null) {
            Files.write(caFile, Base64.getDecoder().decode(admin.getCaCertData()));
        } else {
            Files.copy(Path.of(admin.getCaCertFile()), caFile);
        }
        return Map.of(
                "KUBERNETES_SERVICE_HOST", api.getHost(),
                "KUBERNETES_SERVICE_PORT", String.valueOf(api.getPort()),
                "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", tokenFile.toString(),
                "KUBERNETES_CERTS_CA_FILE", caFile.toString(),
                "KUBERNETES_NAMESPACE", namespace);
    }
}
