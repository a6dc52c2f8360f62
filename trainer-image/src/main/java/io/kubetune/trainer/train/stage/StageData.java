package io.kubetune.trainer.train.stage;

import io.kubetune.trainer.data.Sample;
import java.util.List;

/**
 * A stage's data, ready to train on.
 *
 * @param plan the training batches of every step
 * @param evaluation held-out batches in a fixed order (empty without validation)
 * @param probes a few held-out conversations asked before and after training (may be empty)
 */
public record StageData<B>(BatchPlan<B> plan, List<B> evaluation, List<Sample.Chat> probes) {
    public StageData {
        evaluation = List.copyOf(evaluation);
        probes = List.copyOf(probes);
    }
}
