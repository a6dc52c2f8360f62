package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.kubetune.api.v1alpha1.BatchingMode;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.Collator;
import io.kubetune.trainer.batch.Packer;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packed without cross-attention, each sample computes exactly what it computes alone. */
class IsolatedPackingTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @Test
    void theSecondPackedSampleSeesOnlyItself() throws IOException {
        int[] first = {5, 17, 300, 42, 1001};
        int[] second = {7, 2048, 99, 3};
        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager()) {
            NDArray packed =
                    logits(model, scope, BatchingMode.PACKED_ISOLATED, first, second)
                            .get(new NDIndex("0, 5:9, :"));
            NDArray alone =
                    logits(model, scope, BatchingMode.PADDING, second).get(new NDIndex("0, :, :"));
            NDArray leaky =
                    logits(model, scope, BatchingMode.CONCAT, first, second)
                            .get(new NDIndex("0, 5:9, :"));

            assertThat(packed.sub(alone).abs().max().getFloat()).isLessThanOrEqualTo(1e-5f);
            assertThat(leaky.sub(alone).abs().max().getFloat())
                    .as("plain concatenation does attend across")
                    .isGreaterThan(1e-3f);
        }
    }

    private static NDArray logits(
            PretrainedModel model, NDManager scope, BatchingMode mode, int[]... samples) {
        List<TokenizedSample> tokenized =
                java.util.Arrays.stream(samples).map(ids -> new TokenizedSample(ids, ids)).toList();
        Batch batch = new Collator(0).collate(new Packer(mode, 64).rows(tokenized).subList(0, 1));
        ModelInput input = BatchTensors.of(batch, scope).input();
        return model.block().logits(model.parameterStore(), input, false);
    }
}
