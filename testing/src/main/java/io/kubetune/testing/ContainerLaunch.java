package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What it takes to start one container as a local process: its command line, environment and
 * working directory with container paths mapped to the host, and the host files of its log and
 * termination message.
 */
record ContainerLaunch(
        Container container,
        List<String> command,
        Map<String, String> env,
        Path workingDir,
        Path logFile,
        Path terminationFile) {

    /** Links the container's mounts, empties its termination file and maps its paths. */
    static ContainerLaunch prepare(
            Container c,
            PodPaths paths,
            Map<String, Path> volumes,
            ContainerEnvironment environment,
            ImageRules images)
            throws IOException, PodSetupException {
        Map<String, String> mounts = paths.linkMounts(c, volumes);
        String terminationPath =
                Optional.ofNullable(c.getTerminationMessagePath()).orElse("/dev/termination-log");
        Path terminationFile = paths.hostPath(terminationPath);
        Files.createDirectories(terminationFile.getParent());
        Files.deleteIfExists(terminationFile);
        Files.createFile(terminationFile);
        Map<String, String> substitutions = new HashMap<>(mounts);
        substitutions.put(terminationPath, terminationFile.toString());

        Map<String, String> env = environment.of(c, paths.root(), substitutions, mounts);
        env.put(TestPodRunner.TERMINATION_MESSAGE_PATH_ENV, terminationFile.toString());
        List<String> command = command(c, images, env, substitutions);
        Path wd =
                c.getWorkingDir() == null
                        ? paths.root()
                        : Path.of(PodPaths.substitute(c.getWorkingDir(), substitutions));
        if (c.getWorkingDir() != null && !wd.startsWith(paths.root())) {
            wd = paths.hostPath(c.getWorkingDir());
        }
        Files.createDirectories(wd);
        return new ContainerLaunch(
                c, command, env, wd, paths.logFile(c.getName()), terminationFile);
    }

    /** The process, its output appended to the log file. */
    ProcessBuilder processBuilder() {
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(workingDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb;
    }

    /** command + args, or the image's registered entrypoint + args. */
    private static List<String> command(
            Container c, ImageRules images, Map<String, String> env, Map<String, String> paths)
            throws PodSetupException {
        List<String> cmd = new ArrayList<>();
        List<String> entrypoint = List.of();
        if (c.getCommand() != null && !c.getCommand().isEmpty()) {
            cmd.addAll(c.getCommand());
        } else {
            entrypoint = images.entrypoint(c.getImage());
            if (entrypoint == null) {
                throw new PodSetupException(
                        "container "
                                + c.getName()
                                + " has no command and no entrypoint is registered for image "
                                + c.getImage()
                                + " (TestPodRunner.Builder.imageEntrypoint)");
            }
        }
        cmd.addAll(Objects.requireNonNullElse(c.getArgs(), List.of()));
        cmd.replaceAll(s -> PodPaths.substitute(ContainerEnvironment.expand(s, env), paths));
        // A registered entrypoint stands for the image and names host paths already: a mount
        // path such as /tmp must not be substituted inside, e.g., /tmp/checkout/trainer.jar.
        List<String> full = new ArrayList<>(entrypoint);
        full.addAll(cmd);
        return full;
    }
}
