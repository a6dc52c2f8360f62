package io.kubetune.trainer.data;

/** A record that does not have the shape its format needs; the message names the column. */
public class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
        super(message);
    }
}
