package io.kubetune.trainer.data;

import java.util.Map;

/** Reads typed values out of a record, with errors that name the column. */
final class Fields {
    private Fields() {}

    static String requiredText(Map<String, Object> fields, String column) {
        if (fields.get(column) == null) {
            throw new MalformedRecordException(
                    "missing column \"" + column + "\"; present: " + fields.keySet());
        }
        String text = optionalText(fields, column);
        if (text == null) {
            throw new MalformedRecordException("column \"" + column + "\" is empty");
        }
        return text;
    }

    /** The column's text; null when absent or blank. */
    static String optionalText(Map<String, Object> fields, String column) {
        Object value = fields.get(column);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw new MalformedRecordException(
                    "column \""
                            + column
                            + "\" is not text but "
                            + value.getClass().getSimpleName());
        }
        return text.isBlank() ? null : text;
    }
}
