package io.kubetune.trainer.eval.hellaswag;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one row of either layout into a {@link HellaswagItem}, or says what is wrong with it.
 *
 * <p>Rows arrive as maps of field name to {@code String}, {@code Long} (integral numbers), {@code
 * Double} (other numbers), {@code Boolean}, {@code List} or null. The label is an integer in the
 * rowanz JSONL and a string in the Hugging Face Parquet, digits either way; one past the endings is
 * kept (lm-eval scores such an item as wrong, with a warning).
 */
final class HellaswagItemParser {

    static final int ENDINGS = 4;

    private HellaswagItemParser() {}

    /** Returns the item, or throws {@link MalformedItemException} naming the field at fault. */
    static HellaswagItem parse(int index, Map<String, ?> row) {
        String activityLabel = requireString(row, "activity_label");
        String ctxA = requireString(row, "ctx_a");
        String ctxB = requireString(row, "ctx_b");
        List<String> endings = endings(row.get("endings"));
        int label = label(row.get("label"));
        return new HellaswagItem(
                index,
                row.get("ind") instanceof Long ind ? ind : null,
                activityLabel,
                ctxA,
                ctxB,
                endings,
                label,
                row.get("source_id") instanceof String s ? s : null,
                row.get("split_type") instanceof String s ? s : null);
    }

    private static String requireString(Map<String, ?> row, String field) {
        Object value = row.get(field);
        if (value == null) {
            throw new MalformedItemException(field + " is missing");
        }
        if (!(value instanceof String s)) {
            throw new MalformedItemException(field + " must be a string, got " + value);
        }
        return s;
    }

    private static List<String> endings(Object value) {
        if (value == null) {
            throw new MalformedItemException("endings is missing");
        }
        if (!(value instanceof List<?> list)) {
            throw new MalformedItemException("endings must be a list of 4 strings, got " + value);
        }
        if (list.size() != ENDINGS) {
            throw new MalformedItemException(
                    "endings has " + list.size() + " entries, expected " + ENDINGS);
        }
        List<String> endings = new ArrayList<>(ENDINGS);
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new MalformedItemException(
                        "endings[" + i + "] is not a string: " + list.get(i));
            }
            endings.add(s);
        }
        return endings;
    }

    // lm-eval renders the label as text and reads it back only when it is all digits, so "3" and
    // 3 are the same item and " 3", "3.0" or "-1" are not a label it can score.
    private static int label(Object value) {
        String text;
        if (value == null) {
            throw new MalformedItemException(
                    "label is missing (a test-split item has none; hellaswag is scored on validation)");
        } else if (value instanceof Long l) {
            text = Long.toString(l);
        } else if (value instanceof String s) {
            text = s;
        } else {
            throw new MalformedItemException("label must be an integer 0 to 3, got " + value);
        }
        if (!text.matches("[0-9]+")) {
            throw new MalformedItemException(
                    "label must be an integer 0 to 3, got " + quote(value));
        }
        // lm-eval scores a label past the last ending (as wrong) with a warning; so do we
        BigInteger label = new BigInteger(text);
        return label.bitLength() < 31 ? label.intValue() : Integer.MAX_VALUE;
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    /** What is wrong with one item; the readers turn it into a {@link MalformedItem}. */
    static final class MalformedItemException extends RuntimeException {
        MalformedItemException(String message) {
            super(message);
        }
    }
}
