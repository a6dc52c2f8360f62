package io.kubetune.trainer;

/**
 * Input a user can fix (a job file, a data file, a model folder, a template, a hub answer) cannot
 * be used. The message is one line for the user: it names the file or field, the value, and the
 * fix, and never quotes fetched content. The CLI prints only the message and exits 2.
 */
public class UserInputException extends IllegalArgumentException {

    /** With a one-line message that names the file or field, the value, and the fix. */
    public UserInputException(String message) {
        super(message);
    }

    /** As {@link #UserInputException(String)}, keeping the cause for {@code --debug}. */
    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
