package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a list of chat messages, whatever keys name their role and text. */
final class Messages {
    private Messages() {}

    /**
     * @param roleKey the key of a message's role, or null to take "role" (OpenAI) or else "from"
     *     (ShareGPT)
     * @param contentKey likewise "content" or else "value"
     */
    static List<Turn> read(Object value, String column, String roleKey, String contentKey) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new MalformedRecordException(
                    "column \"" + column + "\" must be a non-empty list of messages");
        }
        List<Turn> turns = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            turns.add(one(list.get(i), column + "[" + i + "]", roleKey, contentKey));
        }
        return turns;
    }

    static Turn one(Object value, String where, String roleKey, String contentKey) {
        if (!(value instanceof Map<?, ?> message)) {
            throw new MalformedRecordException(where + " is not an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) message;
        String role = roleKey != null ? roleKey : m.containsKey("role") ? "role" : "from";
        String content =
                contentKey != null ? contentKey : m.containsKey("content") ? "content" : "value";
        return new Turn(Role.parse(Fields.requiredText(m, role)), Fields.requiredText(m, content));
    }
}
