package io.kubetune.trainer.train;

import java.util.Map;

/**
 * The held-out loss and the stage's metrics on the validation data.
 *
 * @param metrics by the stage's names, without the {@code eval_} prefix reports add
 */
public record Evaluation(double loss, Map<String, Double> metrics) {
    public Evaluation {
        metrics = Map.copyOf(metrics);
    }
}
