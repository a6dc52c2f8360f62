package io.kubetune.trainer.status;

import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.model.NoGpuException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * What the operator learns from a run that threw: the exit code (2 for a spec that cannot run as
 * written, 1 for anything else, network errors included; the operator retries neither: the job
 * fails with InvalidSpec or TrainerError, and only exit 75 after a checkpoint starts a new attempt)
 * and a one-line error with no secret values and no stack trace.
 */
public final class TrainerFailure {
    private TrainerFailure() {}

    /**
     * The one place that maps an error to the exit code the operator reads: {@value
     * TrainerContract#EXIT_NO_GPU} for a GPU asked for and not seen, {@value
     * TrainerContract#EXIT_INVALID_SPEC} for input a user can fix (a {@link UserInputException}, an
     * IllegalArgumentException naming a spec field, a missing file, a full disk), {@value
     * TrainerContract#EXIT_FAILED} otherwise (a retry may help).
     */
    public static int exitCode(Throwable e) {
        if (e instanceof NoGpuException) {
            return TrainerContract.EXIT_NO_GPU;
        }
        return e instanceof IllegalArgumentException
                        || e instanceof UserInputException
                        || e instanceof NoSuchFileException
                        || e instanceof AccessDeniedException
                        || isDiskFull(e)
                ? TrainerContract.EXIT_INVALID_SPEC
                : TrainerContract.EXIT_FAILED;
    }

    /** A write failed because the disk is full (the JDK's IOException says so, naming no file). */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException
                    && t.getMessage() != null
                    && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** The error in one line, secrets masked. */
    public static String message(Throwable e, SecretRedactor redactor) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        // NoSuchFileException's message is only the path: say what happened to it.
        if (e instanceof IOException && e.getClass() != IOException.class || message.isBlank()) {
            message = e.getClass().getSimpleName() + (message.isBlank() ? "" : ": " + message);
        }
        return redactor.redact(message.replaceAll("\\s+", " ").strip());
    }

    /** The termination message of a failed run. */
    public static TrainerResult result(Throwable e, SecretRedactor redactor) {
        TrainerResult result = new TrainerResult();
        result.error = message(e, redactor);
        return result;
    }
}
