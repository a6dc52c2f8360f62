package io.kubetune.trainer.batch;

/**
 * A sample as token ids with its loss labels, aligned: labels[i] is ids[i] where the loss counts
 * and {@link #IGNORE} elsewhere (the model shifts them, as transformers does).
 */
public record TokenizedSample(int[] ids, int[] labels) {
    /** The label transformers ignores in the cross-entropy. */
    public static final int IGNORE = -100;

    public TokenizedSample {
        if (ids.length != labels.length) {
            throw new IllegalArgumentException(
                    ids.length + " ids but " + labels.length + " labels");
        }
    }

    public int length() {
        return ids.length;
    }

    public boolean hasTrainableTokens() {
        for (int label : labels) {
            if (label != IGNORE) {
                return true;
            }
        }
        return false;
    }
}
