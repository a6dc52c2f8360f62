package io.kubetune.trainer.status;

import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainerResult;
import java.io.IOException;

/**
 * What the operator learns from a run that threw: the exit code (2 for a spec that cannot run as
 * written, 1 for anything else, network errors included; the operator retries neither: the job
 * fails with InvalidSpec or TrainerError, and only exit 75 after a checkpoint starts a new attempt)
 * and a one-line error with no secret values and no stack trace.
 */
public final class TrainerFailure {
    private TrainerFailure() {}

    /**
     * {@value TrainerContract#EXIT_INVALID_SPEC} for an IllegalArgumentException (the trainer's
     * errors naming a spec field), {@value TrainerContract#EXIT_FAILED} otherwise.
     */
    public static int exitCode(Throwable e) {
        return e instanceof IllegalArgumentException
                ? TrainerContract.EXIT_INVALID_SPEC
                : TrainerContract.EXIT_FAILED;
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
