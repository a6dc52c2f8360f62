package io.kubetune.trainer.eval.hellaswag;

/**
 * An item that cannot be scored, and why.
 *
 * @param index the item's 0-based position in its file
 * @param reason what is wrong, naming the field and the value
 */
public record MalformedItem(int index, String reason) {

    @Override
    public String toString() {
        return "item " + index + ": " + reason;
    }
}
