package io.kubetune.trainer.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Format prompt ({prompt, ...}): the prompt as text or as a list of messages, and every other text
 * or number column kept as text for the rewards to read.
 */
final class PromptParser implements SampleParser {
    private final String column;
    private final String roleKey;
    private final String contentKey;

    PromptParser(String column, String roleKey, String contentKey) {
        this.column = column;
        this.roleKey = roleKey;
        this.contentKey = contentKey;
    }

    @Override
    public Sample parse(Map<String, Object> fields) {
        Object value = fields.get(column);
        boolean text = value instanceof String;
        List<Turn> prompt =
                text
                        ? List.of(new Turn(Role.USER, Fields.requiredText(fields, column)))
                        : Messages.read(value, column, roleKey, contentKey);
        Map<String, String> columns = new LinkedHashMap<>();
        fields.forEach(
                (name, v) -> {
                    if (!name.equals(column) && (v instanceof String || v instanceof Number)) {
                        columns.put(name, String.valueOf(v));
                    }
                });
        return new Sample.Prompt(prompt, text, columns);
    }
}
