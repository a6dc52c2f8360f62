package io.kubetune.trainer.cli;

import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.status.SecretRedactor;
import io.kubetune.trainer.status.TerminationMessage;
import io.kubetune.trainer.status.TrainerFailure;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * What the user sees when a command throws: one line on stderr ({@code error: ...}, secrets masked)
 * and an exit code (2 for input they can fix, 3 for a missing GPU, 1 otherwise, see {@link
 * TrainerFailure#exitCode}); the stack trace only with {@code --debug}. The same line goes to the
 * termination message in a pod.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {

    /** A command that writes to folders: a full disk is reported as the fullest of them. */
    interface WritesFolders {
        List<Path> folders();
    }

    @Override
    public int handleExecutionException(
            Exception thrown, CommandLine cmd, CommandLine.ParseResult parsed) {
        SecretRedactor redactor = SecretRedactor.fromEnvironment();
        Throwable e = userFacing(thrown, foldersOf(cmd));
        PrintWriter err = cmd.getErr();
        if (debug(parsed)) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            err.print(redactor.redact(trace.toString()));
        }
        int exitCode = TrainerFailure.exitCode(e);
        String hint =
                exitCode == 1 && !debug(parsed) ? " (run again with --debug for the trace)" : "";
        err.println("error: " + TrainerFailure.message(e, redactor) + hint);
        err.flush();
        TerminationMessage.write(TrainerFailure.result(e, redactor));
        return exitCode;
    }

    /** File-system errors in the user's words: which file, what happened, what to do. */
    static Throwable userFacing(Throwable e, List<Path> folders) {
        if (TrainerFailure.isDiskFull(e)) {
            return new UserInputException(
                    "no space left on the disk"
                            + fullest(folders).map(f -> " of " + f).orElse("")
                            + ": free some space there, or point --output (and KUBETUNE_CACHE_DIR)"
                            + " at a larger disk; the same command resumes from the last"
                            + " checkpoint",
                    e);
        }
        if (e instanceof NoSuchFileException missing) {
            return new UserInputException(
                    missing.getFile()
                            + " does not exist: check the path (or the spec field or"
                            + " option that names it)",
                    e);
        }
        if (e instanceof AccessDeniedException denied) {
            return new UserInputException(
                    denied.getFile()
                            + " cannot be accessed by this user: fix its permissions or"
                            + " choose another path",
                    e);
        }
        return e;
    }

    private static Optional<Path> fullest(List<Path> folders) {
        return folders.stream()
                .map(Path::toAbsolutePath)
                .filter(Files::exists)
                .min(Comparator.comparingLong(Failures::usableSpace));
    }

    private static long usableSpace(Path folder) {
        try {
            return Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private static List<Path> foldersOf(CommandLine cmd) {
        return cmd.getCommand() instanceof WritesFolders writer ? writer.folders() : List.of();
    }

    private static boolean debug(CommandLine.ParseResult parsed) {
        return parsed != null
                && parsed.asCommandLineList().stream()
                        .map(CommandLine::getParseResult)
                        .anyMatch(p -> p != null && p.hasMatchedOption("--debug"));
    }
}
