package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.UserInputException;

/** The hellaswag data cannot be used: unreadable, empty, or mostly malformed. */
public class HellaswagDataException extends UserInputException {

    /** With a message that names the file and what to do. */
    public HellaswagDataException(String message) {
        super(message);
    }

    /** With a message that names the file and what to do, and the cause. */
    public HellaswagDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
