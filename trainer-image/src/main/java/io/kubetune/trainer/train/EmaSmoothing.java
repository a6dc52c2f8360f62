package io.kubetune.trainer.train;

import java.util.ArrayList;
import java.util.List;

/**
 * TensorBoard's scalar smoothing: an exponential moving average debiased like Adam's moments (so
 * the first points are not pulled towards zero), with its default weight 0.6. Non-finite values
 * pass through; a constant series stays as it is.
 */
public final class EmaSmoothing {
    /** The weight TensorBoard's slider starts at. */
    public static final double TENSORBOARD_DEFAULT = 0.6;

    private EmaSmoothing() {}

    public static List<Double> smooth(List<Double> values, double weight) {
        boolean constant = values.stream().distinct().count() <= 1;
        if (constant) {
            return List.copyOf(values);
        }
        List<Double> smoothed = new ArrayList<>(values.size());
        double last = 0;
        int accumulated = 0;
        for (double value : values) {
            if (!Double.isFinite(value)) {
                smoothed.add(value);
                continue;
            }
            last = last * weight + (1 - weight) * value;
            accumulated++;
            double debias = weight == 1 ? 1 : 1 - Math.pow(weight, accumulated);
            smoothed.add(last / debias);
        }
        return smoothed;
    }
}
