package io.kubetune.trainer.train.stage.ppo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.train.stage.BatchPlan;
import io.kubetune.trainer.train.stage.grpo.PromptBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How stage ppo turns the prompt plan's rollout batches into optimizer steps. */
class PpoPlanTest {
    private static final PpoSettings TWO_BY_TWO =
            new PpoSettings(
                    0.05, KlEstimator.K1, 1, 0.95, 0.2, 0.2, 0.1, false, 2, 2, 0.7, 8, null);

    @Test
    void eachRolloutBatchIsEpochsTimesMiniBatchesStepsOverAllItsRowsPerEpoch() {
        // 2 rollout batches of 2 micro-batches x 4 prompts.
        PpoPlan plan = new PpoPlan(prompts(2, 2, 4), TWO_BY_TWO, 4, 7, null);

        assertThat(plan.totalSteps()).isEqualTo(8);
        for (int rollout = 0; rollout < 2; rollout++) {
            for (int epoch = 0; epoch < 2; epoch++) {
                List<Integer> rows = new ArrayList<>();
                for (int mini = 0; mini < 2; mini++) {
                    List<PpoTurn> step = plan.microBatches(rollout * 4L + epoch * 2 + mini);
                    // gradientAccumulationSteps 2 / miniBatches 2: one micro-batch of 4 rows
                    assertThat(step).hasSize(1);
                    assertThat(step.get(0).rollout()).isEqualTo(rollout);
                    assertThat(step.get(0).rolloutRows()).isEqualTo(8);
                    Arrays.stream(step.get(0).rows()).forEach(rows::add);
                }
                assertThat(rows).containsExactlyInAnyOrderElementsOf(range(8));
            }
        }
        // The same step's rows again: a resumed run takes the same ones.
        assertThat(plan.microBatches(5).get(0).rows())
                .containsExactly(plan.microBatches(5).get(0).rows());
    }

    @Test
    void maxStepsCountsOptimizerStepsAndAPartialRolloutIsCutNearlyEvenly() {
        assertThat(new PpoPlan(prompts(3, 2, 4), TWO_BY_TWO, 4, 7, 5).totalSteps()).isEqualTo(5);
        // 3 rows cannot be halved: mini-batches of 1 and 2 rows, every row once per epoch.
        PpoPlan partial = new PpoPlan(prompts(1, 1, 3), TWO_BY_TWO, 4, 7, null);
        List<Integer> rows = new ArrayList<>();
        Arrays.stream(partial.microBatches(0).get(0).rows()).forEach(rows::add);
        Arrays.stream(partial.microBatches(1).get(0).rows()).forEach(rows::add);
        assertThat(rows).containsExactlyInAnyOrderElementsOf(range(3));
    }

    @Test
    void theLearningRateScheduleStepsOncePerRolloutBatch() {
        // ppoEpochs 2 x miniBatches 2: four optimizer updates share one scheduler step, as in TRL.
        assertThat(new PpoPlan(prompts(3, 2, 4), TWO_BY_TWO, 4, 7, null).stepsPerScheduleStep())
                .isEqualTo(4);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static BatchPlan<PromptBatch> prompts(int steps, int micro, int perBatch) {
        return new BatchPlan<>() {
            @Override
            public long totalSteps() {
                return steps;
            }

            @Override
            public List<PromptBatch> microBatches(long step) {
                List<PromptBatch> out = new ArrayList<>();
                for (int m = 0; m < micro; m++) {
                    List<PromptBatch.Prompt> prompts = new ArrayList<>();
                    for (int p = 0; p < perBatch; p++) {
                        prompts.add(
                                new PromptBatch.Prompt(
                                        new long[] {step, m, p}, "", Map.of(), null));
                    }
                    out.add(new PromptBatch(prompts));
                }
                return out;
            }

            @Override
            public double epochAt(long step) {
                return step;
            }
        };
    }
}
