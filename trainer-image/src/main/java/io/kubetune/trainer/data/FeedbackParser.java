package io.kubetune.trainer.data;

import java.util.List;
import java.util.Map;

/**
 * Records of format kto, TRL's unpaired preference layout: {prompt, completion, label}, where
 * prompt and completion are both strings or both message lists and label is a boolean (true:
 * desirable).
 */
final class FeedbackParser implements SampleParser {
    private final String prompt;
    private final String completion;
    private final String label;
    private final String roleKey;
    private final String contentKey;
    private final boolean textOnly;

    /**
     * @param textOnly the dataset's template is none: prompt and completion must be strings
     */
    FeedbackParser(
            String prompt,
            String completion,
            String label,
            String roleKey,
            String contentKey,
            boolean textOnly) {
        this.prompt = prompt;
        this.completion = completion;
        this.label = label;
        this.roleKey = roleKey;
        this.contentKey = contentKey;
        this.textOnly = textOnly;
    }

    FeedbackParser textOnly() {
        return new FeedbackParser(prompt, completion, label, roleKey, contentKey, true);
    }

    @Override
    public Sample parse(Map<String, Object> fields) {
        boolean desirable = label(fields);
        Object promptValue = fields.get(prompt);
        Object completionValue = fields.get(completion);
        if (promptValue instanceof String && completionValue instanceof String) {
            // Kept verbatim: a trailing space matters when prompt and answer are joined as text.
            return new Sample.Feedback(
                    List.of(new Turn(Role.USER, (String) promptValue)),
                    List.of(new Turn(Role.ASSISTANT, Fields.requiredText(fields, completion))),
                    true,
                    desirable);
        }
        if (promptValue == null || completionValue == null) {
            throw new MalformedRecordException(
                    "missing column \""
                            + (promptValue == null ? prompt : completion)
                            + "\"; present: "
                            + fields.keySet());
        }
        if (textOnly) {
            throw new MalformedRecordException(
                    "template none joins prompt and completion as text, but this record holds"
                            + " messages; give the dataset a chat template (model, chatml, alpaca,"
                            + " vicuna)");
        }
        if (promptValue instanceof String || completionValue instanceof String) {
            throw new MalformedRecordException(
                    "\""
                            + prompt
                            + "\" and \""
                            + completion
                            + "\" must both be text or both be"
                            + " messages");
        }
        List<Turn> turns = Messages.read(promptValue, prompt, roleKey, contentKey);
        if (turns.get(turns.size() - 1).role() != Role.USER) {
            throw new MalformedRecordException(
                    "the prompt must end with the user's turn, which the completion replies to");
        }
        List<Turn> answer =
                completionValue instanceof Map<?, ?>
                        ? List.of(Messages.one(completionValue, completion, roleKey, contentKey))
                        : Messages.read(completionValue, completion, roleKey, contentKey);
        return new Sample.Feedback(turns, answer, false, desirable);
    }

    private boolean label(Map<String, Object> fields) {
        Object value = fields.get(label);
        if (value instanceof Boolean b) {
            return b;
        }
        throw new MalformedRecordException(
                "column \""
                        + label
                        + "\" must be true (desirable) or false (undesirable), not "
                        + (value == null ? "missing" : value));
    }
}
