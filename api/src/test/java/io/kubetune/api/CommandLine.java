package io.kubetune.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command line tool (helm, kubectl) of the test environment and captures what it said. */
final class CommandLine {
    /** What a finished command printed, and its exit code. */
    record Result(int exitCode, String stdout, String stderr) {
        Result assertSucceeded(List<String> command) {
            if (exitCode != 0) {
                throw new AssertionError(
                        String.join(" ", command)
                                + " exited with "
                                + exitCode
                                + "\nstderr:\n"
                                + stderr
                                + "\nstdout:\n"
                                + stdout);
            }
            return this;
        }
    }

    private final Path binary;
    private final Map<String, String> environment;

    CommandLine(Path binary, Map<String, String> environment) {
        this.binary = binary;
        this.environment = Map.copyOf(environment);
    }

    /** Runs it with these arguments and stdin; fails the test only on a time-out. */
    Result run(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubetune-cli", ".out");
            Path err = Files.createTempFile("kubetune-cli", ".err");
            try {
                ProcessBuilder pb =
                        new ProcessBuilder(command)
                                .directory(RepoFiles.root().toFile())
                                .redirectOutput(out.toFile())
                                .redirectError(err.toFile());
                pb.environment().putAll(environment);
                Process p = pb.start();
                try (var in = p.getOutputStream()) {
                    if (stdin != null) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " ran over 2 minutes");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Runs it and fails the test unless it exits with 0. */
    Result ok(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        return run(stdin, args).assertSucceeded(command);
    }
}
