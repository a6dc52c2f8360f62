package io.kubetune.trainer.train.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** pt/sft's objective: the summed next-token loss and TRL's mean_token_accuracy. */
class CausalLmObjectiveTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    private static final int X = TokenizedSample.IGNORE;

    @Test
    void tokenAccuracyCountsArgmaxHitsOverLabelledTokensOnly() throws IOException {
        int[][] ids = {{5, 17, 300, 42, 1001, 7}, {9, 9, 9, 9, 9, 9}};
        // Row 0 predicts its own continuation from position 2 on; row 1 is all the same token.
        int[][] labels = {{X, X, 300, 42, 1001, 7}, {X, 9, 9, 9, X, X}};
        int[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}};
        int[][] positions = {{0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5}};
        Batch batch = new Batch(ids, labels, mask, positions, mask);
        CausalLmObjective objective = new CausalLmObjective();
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager()) {
            BatchLoss loss = objective.compute(model, batch, scope, false);

            NDArray logits =
                    model.block()
                            .logits(
                                    model.parameterStore(),
                                    ModelInput.of(
                                            scope.create(ids)
                                                    .toType(
                                                            ai.djl.ndarray.types.DataType.INT64,
                                                            false)),
                                    false);
            long vocab = logits.getShape().get(2);
            float[] values = logits.toFloatArray();
            int hits = 0;
            int counted = 0;
            for (int row = 0; row < 2; row++) {
                for (int t = 0; t < 5; t++) {
                    int label = labels[row][t + 1];
                    if (label != X) {
                        counted++;
                        hits += argmax(values, (row * 6L + t) * vocab, vocab) == label ? 1 : 0;
                    }
                }
            }
            assertThat(objective.normalizer(batch)).isEqualTo(counted).isEqualTo(7);
            Metric accuracy = loss.metrics().get(CausalLmObjective.TOKEN_ACCURACY);
            assertThat(accuracy.count()).isEqualTo(counted);
            assertThat(accuracy.sum()).isEqualTo(hits);
            assertThat(loss.tokens()).isEqualTo(12);
            assertThat(loss.sum().getFloat() / counted)
                    .isCloseTo((float) Math.log(vocab), within(2f));
        }
    }

    private static int argmax(float[] values, long offset, long vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (values[(int) (offset + v)] > values[(int) (offset + best)]) {
                best = v;
            }
        }
        return best;
    }
}
