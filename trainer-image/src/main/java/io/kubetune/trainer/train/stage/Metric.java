package io.kubetune.trainer.train.stage;

/**
 * A stage metric summed over micro-batches: its mean is {@code sum / count}, so a step of several
 * micro-batches (or an evaluation of many batches) reports the metric of all of them together.
 *
 * @param sum the metric summed over its units (pairs, tokens, rows)
 * @param count how many units the sum covers
 */
public record Metric(double sum, double count) {
    /** A value that is already a mean over one unit of weight. */
    public static Metric of(double value) {
        return new Metric(value, 1);
    }

    public Metric plus(Metric other) {
        return new Metric(sum + other.sum, count + other.count);
    }

    /** The mean, or NaN when nothing was counted. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }
}
