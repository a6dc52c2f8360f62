package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.TrainerResult;

/**
 * The trainer's termination message: a {@link TrainerResult} as JSON, or the log tail when the
 * trainer died before writing it (terminationMessagePolicy FallbackToLogsOnError).
 */
public final class TerminationMessage {
    private static final int MAX_LINE = 512;

    private TerminationMessage() {}

    /** The result, or null when the message is empty or not a TrainerResult. */
    public static TrainerResult parse(String message) {
        if (message == null || !message.strip().startsWith("{")) {
            return null;
        }
        try {
            return Serialization.jsonMapper()
                    .readerFor(TrainerResult.class)
                    .without(
                            com.fasterxml.jackson.databind.DeserializationFeature
                                    .FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(message);
        } catch (Exception e) {
            return null;
        }
    }

    /** One line for the status: the trainer's error, else the end of the raw message. */
    static String line(TrainerResult result, String raw) {
        if (result != null && result.error != null) {
            return cut(result.error);
        }
        if (raw == null || raw.isBlank()) {
            return "no message";
        }
        String[] lines = raw.strip().split("\n");
        return cut(lines[lines.length - 1]);
    }

    private static String cut(String s) {
        return s.length() <= MAX_LINE ? s : s.substring(0, MAX_LINE) + "...";
    }
}
