package io.kubetune.trainer.eval;

/** {@code numpy.argmax} on a vector: the first maximum wins ties, and the first NaN beats all. */
public final class Argmax {

    private Argmax() {}

    /** Returns the index of the first largest value. */
    public static int of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("argmax of no values");
        }
        int best = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                return i;
            }
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
