package io.kubetune.trainer.eval;

/**
 * The mean of per-item values and its standard error, as lm-evaluation-harness aggregates {@code
 * acc} and {@code acc_norm}: {@code mean} and {@code mean_stderr}, the sample standard deviation
 * (divided by n - 1) over the square root of n.
 *
 * @param mean the mean; NaN for no values
 * @param stderr the standard error; null for fewer than two values (lm-eval reports "N/A")
 * @param n the number of values
 */
public record SampleMean(double mean, Double stderr, int n) {

    /** Aggregates {@code values}, summing in order as Python's {@code sum} does. */
    public static SampleMean of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new SampleMean(Double.NaN, null, 0);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        if (n < 2) {
            return new SampleMean(mean, null, n);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double sampleStddev = Math.sqrt(squares / (n - 1));
        return new SampleMean(mean, sampleStddev / Math.sqrt(n), n);
    }
}
