package io.kubetune.trainer.train;

import io.kubetune.trainer.train.stage.Metric;
import java.util.Map;
import java.util.TreeMap;

/** Stage metrics added up over the micro-batches of a step or the batches of an evaluation. */
final class MetricTotals {
    private final Map<String, Metric> totals = new TreeMap<>();

    void add(Map<String, Metric> metrics) {
        metrics.forEach((name, metric) -> totals.merge(name, metric, Metric::plus));
    }

    /** Each metric's mean, in name order. */
    Map<String, Double> means() {
        Map<String, Double> means = new TreeMap<>();
        totals.forEach((name, metric) -> means.put(name, metric.mean()));
        return means;
    }
}
