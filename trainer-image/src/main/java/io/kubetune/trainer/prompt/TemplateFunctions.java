package io.kubetune.trainer.prompt;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The functions transformers makes available to chat templates. */
public final class TemplateFunctions {
    private TemplateFunctions() {}

    private static final int MAX_REFUSAL = 200;

    /** Templates call raise_exception to refuse a conversation they cannot render. */
    public static String raiseException(String message) {
        throw new Refusal(message);
    }

    /** The template's refusal, on one line and cut short, if {@code e} or a cause is one. */
    static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Refusal) {
                String text = String.valueOf(t.getMessage()).replaceAll("\\s+", " ").strip();
                return text.length() > MAX_REFUSAL ? text.substring(0, MAX_REFUSAL) + "..." : text;
            }
        }
        return null;
    }

    /** What raise_exception throws: the template author's message to the user. */
    static final class Refusal extends IllegalArgumentException {
        Refusal(String message) {
            super(message);
        }
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
