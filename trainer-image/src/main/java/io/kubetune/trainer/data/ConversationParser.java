package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ShareGPT {conversations: [{from, value}]} and OpenAI {messages: [{role, content}]} records. */
final class ConversationParser implements SampleParser {
    private final String messages;
    private final String roleKey;
    private final String contentKey;
    private final String system;

    ConversationParser(String messages, String roleKey, String contentKey, String system) {
        this.messages = messages;
        this.roleKey = roleKey;
        this.contentKey = contentKey;
        this.system = system;
    }

    @Override
    public Sample parse(Map<String, Object> fields) {
        if (!(fields.get(messages) instanceof List<?> list) || list.isEmpty()) {
            throw new MalformedRecordException(
                    "column \"" + messages + "\" must be a non-empty list of messages");
        }
        List<Turn> turns = new ArrayList<>(list.size() + 1);
        String systemPrompt = Fields.optionalText(fields, system);
        if (systemPrompt != null) {
            turns.add(new Turn(Role.SYSTEM, systemPrompt));
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> message)) {
                throw new MalformedRecordException(messages + "[" + i + "] is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) message;
            Role role = Role.parse(Fields.requiredText(m, roleKey));
            turns.add(new Turn(role, Fields.requiredText(m, contentKey)));
        }
        checkOrder(turns);
        return new Sample.Chat(turns);
    }

    /** A system turn may only lead; the rest must alternate user, assistant, ending with one. */
    private void checkOrder(List<Turn> turns) {
        int start = turns.get(0).role() == Role.SYSTEM ? 1 : 0;
        for (int i = start; i < turns.size(); i++) {
            Role expected = (i - start) % 2 == 0 ? Role.USER : Role.ASSISTANT;
            if (turns.get(i).role() != expected) {
                throw new MalformedRecordException(
                        messages
                                + ": turn "
                                + (i - start)
                                + " is "
                                + turns.get(i).role().templateName()
                                + ", expected "
                                + expected.templateName()
                                + " (turns alternate user, assistant after an optional system turn)");
            }
        }
        if (turns.get(turns.size() - 1).role() != Role.ASSISTANT) {
            throw new MalformedRecordException(
                    messages
                            + ": the last turn must be the assistant's, there is nothing to learn otherwise");
        }
    }
}
