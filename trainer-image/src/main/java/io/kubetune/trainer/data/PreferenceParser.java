package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Preference records: TRL's {prompt?, chosen, rejected} (strings or message lists), and
 * LLaMA-Factory's layouts through the column mapping: alpaca-style (columns.instruction set:
 * instruction, input?, system? and string answers) and sharegpt-style (columns.messages set: the
 * prompt's turns, ending on the user's, and one message or string per answer).
 */
final class PreferenceParser implements SampleParser {
    /** Column names, the format's defaults already applied. */
    record Columns(
            String prompt,
            String chosen,
            String rejected,
            String margin,
            String system,
            String instruction,
            String input,
            String messages,
            String roleKey,
            String contentKey) {}

    private final Columns c;
    private final boolean textOnly;

    /**
     * @param textOnly the dataset's template is none: prompt and answers must be strings
     */
    PreferenceParser(Columns columns, boolean textOnly) {
        this.c = columns;
        this.textOnly = textOnly;
    }

    PreferenceParser textOnly() {
        return new PreferenceParser(c, true);
    }

    @Override
    public Sample parse(Map<String, Object> fields) {
        Answer chosen = answer(fields, c.chosen());
        Answer rejected = answer(fields, c.rejected());
        if (chosen.text() != rejected.text()) {
            throw new MalformedRecordException(
                    "\""
                            + c.chosen()
                            + "\" and \""
                            + c.rejected()
                            + "\" must both be text or"
                            + " both be messages");
        }
        double margin = margin(fields);
        List<Turn> prompt = explicitPrompt(fields, chosen.text());
        if (prompt != null) {
            boolean plain =
                    chosen.text()
                            && prompt.size() == 1
                            && c.instruction() == null
                            && c.messages() == null
                            && fields.get(c.prompt()) instanceof String;
            return checked(
                    new Sample.Preference(prompt, chosen.turns(), rejected.turns(), plain, margin));
        }
        return checked(SharedPrefix.split(chosen, rejected, margin));
    }

    /** A side as turns; text is held as one assistant turn. */
    record Answer(List<Turn> turns, boolean text) {}

    private Answer answer(Map<String, Object> fields, String column) {
        Object value = fields.get(column);
        if (value instanceof String) {
            return new Answer(
                    List.of(new Turn(Role.ASSISTANT, Fields.requiredText(fields, column))), true);
        }
        if (value instanceof Map<?, ?>) {
            return new Answer(
                    List.of(Messages.one(value, column, c.roleKey(), c.contentKey())), false);
        }
        if (value == null) {
            throw new MalformedRecordException(
                    "missing column \"" + column + "\"; present: " + fields.keySet());
        }
        return new Answer(Messages.read(value, column, c.roleKey(), c.contentKey()), false);
    }

    /** The prompt the record states; null when it is to be taken from the answers. */
    private List<Turn> explicitPrompt(Map<String, Object> fields, boolean textAnswers) {
        List<Turn> turns = new ArrayList<>();
        String system = Fields.optionalText(fields, c.system());
        if (system != null) {
            turns.add(new Turn(Role.SYSTEM, system));
        }
        if (c.instruction() != null) {
            turns.add(
                    new Turn(
                            Role.USER,
                            Fields.requiredText(fields, c.instruction()),
                            Fields.optionalText(fields, c.input())));
        } else if (c.messages() != null) {
            turns.addAll(
                    Messages.read(
                            fields.get(c.messages()), c.messages(), c.roleKey(), c.contentKey()));
        } else if (fields.get(c.prompt()) instanceof String text) {
            // Kept verbatim (a trailing space matters when prompt and answer are joined as text).
            turns.add(new Turn(Role.USER, text));
        } else if (fields.get(c.prompt()) != null) {
            turns.addAll(
                    Messages.read(fields.get(c.prompt()), c.prompt(), c.roleKey(), c.contentKey()));
        } else {
            return null;
        }
        return turns;
    }

    private double margin(Map<String, Object> fields) {
        Object value = fields.get(c.margin());
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw new MalformedRecordException(
                    "column \"" + c.margin() + "\" must be a finite number, not " + value);
        }
        return number.doubleValue();
    }

    private Sample.Preference checked(Sample.Preference pair) {
        if (textOnly && !pair.plainText()) {
            throw new MalformedRecordException(
                    "template none joins prompt and answers as text, but this record holds"
                            + " messages (or an instruction layout); give the dataset a chat"
                            + " template (model, chatml, alpaca, vicuna)");
        }
        if (!pair.plainText()) {
            List<Turn> prompt = pair.prompt();
            if (prompt.isEmpty() || prompt.get(prompt.size() - 1).role() != Role.USER) {
                throw new MalformedRecordException(
                        "the prompt must end with the user's turn, which both answers reply to");
            }
        }
        if (pair.chosen().equals(pair.rejected())) {
            throw new MalformedRecordException(
                    "\""
                            + c.chosen()
                            + "\" and \""
                            + c.rejected()
                            + "\" are the same answer;"
                            + " there is nothing to prefer");
        }
        return pair;
    }
}
