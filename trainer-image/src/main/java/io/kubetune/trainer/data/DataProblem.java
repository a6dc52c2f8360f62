package io.kubetune.trainer.data;

/** A record that could not be used, with where it is and why. */
public record DataProblem(String source, long line, String message) {
    @Override
    public String toString() {
        return source + ":" + line + ": " + message;
    }
}
