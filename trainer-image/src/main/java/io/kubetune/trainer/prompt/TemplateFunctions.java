package io.kubetune.trainer.prompt;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The functions transformers makes available to chat templates. */
public final class TemplateFunctions {
    private TemplateFunctions() {}

    /** Templates call raise_exception to refuse a conversation they cannot render. */
    public static String raiseException(String message) {
        throw new IllegalArgumentException(
                "the chat template refused the conversation: " + message);
    }

    /** Python's strftime for the formats templates use (%d %b %Y, %Y-%m-%d). */
    public static String strftimeNow(String format) {
        String pattern =
                format.replace("%d", "dd")
                        .replace("%b", "MMM")
                        .replace("%B", "MMMM")
                        .replace("%Y", "yyyy")
                        .replace("%m", "MM");
        return LocalDate.now().format(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH));
    }
}
