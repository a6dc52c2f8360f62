package io.kubetune.trainer.data;

/**
 * One message of a conversation.
 *
 * @param input Alpaca's optional "input" beside the instruction, kept apart so the Alpaca template
 *     can render its own "### Input:" block; null otherwise
 */
public record Turn(Role role, String content, String input) {
    public Turn(Role role, String content) {
        this(role, content, null);
    }

    /** The message as one text: the instruction and its input joined by a blank line. */
    public String text() {
        return input == null || input.isEmpty() ? content : content + "\n\n" + input;
    }
}
