package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.kubetune.api.v1alpha1.BatchingMode;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.stage.CausalLmObjective;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * training.maxTokensPerBatch: padding micro-batches sized by tokens rather than rows, every sample
 * once an epoch, and a step's loss still the labelled tokens' mean over the whole step.
 */
class TokenBudgetBatchingTest {
    private static final int MAX_TOKENS = 64;

    @Test
    void microBatchesStayWithinTheTokenBudgetAndCoverEverySampleOnce() {
        List<TokenizedSample> samples = samples(40);
        TrainingPlan plan = plan(samples, 2, 3);
        long rows = 0;
        for (long step = 0; step < plan.stepsPerEpoch(); step++) {
            List<Batch> batches = plan.microBatches(step);
            assertThat(batches).isNotEmpty();
            for (Batch batch : batches) {
                assertThat((long) batch.rows() * batch.length()).isLessThanOrEqualTo(MAX_TOKENS);
                rows += batch.rows();
            }
        }
        assertThat(rows).isEqualTo(samples.size());
        // Short samples share a batch: fewer batches than one per sample.
        assertThat(plan.stepsPerEpoch()).isLessThan(samples.size() / 2);
        // The next epoch's steps cover every sample again.
        long next = 0;
        for (long step = plan.stepsPerEpoch(); step < 2L * plan.stepsPerEpoch(); step++) {
            next += plan.microBatches(step).stream().mapToInt(Batch::rows).sum();
        }
        assertThat(next).isEqualTo(samples.size());
    }

    @Test
    void aStepsLossIsTheMeanOverItsLabelledTokensAsInOneBigBatch() throws Exception {
        List<TokenizedSample> samples = samples(12);
        TrainingPlan plan = plan(samples, 3, 100);
        List<Batch> step = plan.microBatches(0);
        assertThat(step).hasSizeGreaterThan(1);
        // Every sample of the step in one padded batch.
        List<TokenizedSample> inStep = new ArrayList<>();
        for (Batch batch : step) {
            for (int r = 0; r < batch.rows(); r++) {
                inStep.add(unpadded(batch, r));
            }
        }
        Batch whole = TrainingPlan.evaluationBatches(inStep, inStep.size(), 0).get(0);
        Path dir = Path.of("src/test/resources/fixtures/models/llama");
        try (PretrainedModel model = PretrainedModel.load(dir, Device.cpu(), Precision.FP32)) {
            var trainable = Map.of("w", model.block().getParameters().get(1).getValue());
            try (AdamW optimizer = AdamW.withDefaults(trainable, 0, model.manager())) {
                TrainingLoop<Batch> loop =
                        new TrainingLoop<>(
                                model,
                                new CausalLmObjective(),
                                trainable,
                                optimizer,
                                new LearningRateSchedule(Scheduler.CONSTANT, 0, 0, 1),
                                1.0,
                                1);
                double expected = loop.evaluate(List.of(whole)).loss();
                assertThat(loop.step(step).loss()).isCloseTo(expected, within(1e-5 * expected));
            }
        }
    }

    private static TrainingPlan plan(List<TokenizedSample> samples, int accumulation, int epochs) {
        return new TrainingPlan(
                samples, BatchingMode.PADDING, 64, 4, MAX_TOKENS, accumulation, 0, 7, epochs, null);
    }

    // Lengths 3 to 40, the first third of each a prompt.
    private static List<TokenizedSample> samples(int count) {
        Random random = new Random(3);
        List<TokenizedSample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = 3 + random.nextInt(38);
            int[] ids = new int[length];
            int[] labels = new int[length];
            for (int t = 0; t < length; t++) {
                ids[t] = 1 + random.nextInt(500);
                labels[t] = t < length / 3 ? TokenizedSample.IGNORE : ids[t];
            }
            out.add(new TokenizedSample(ids, labels));
        }
        return out;
    }

    private static TokenizedSample unpadded(Batch batch, int row) {
        int length = 0;
        for (int m : batch.attentionMask()[row]) {
            length += m;
        }
        return new TokenizedSample(
                java.util.Arrays.copyOf(batch.ids()[row], length),
                java.util.Arrays.copyOf(batch.labels()[row], length));
    }
}
