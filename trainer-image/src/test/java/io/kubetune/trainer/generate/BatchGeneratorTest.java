package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batched sampling on the tiny llama fixture: left-padded rows of different prompt lengths give
 * what one row alone gives, and the returned log-probs are those of a full forward pass.
 */
class BatchGeneratorTest {

    private static PretrainedModel model;
    private static List<long[]> prompts;

    @BeforeAll
    static void load() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama");
        model = PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
        long[] a = fixture.cases().get(0).inputIds();
        long[] b = fixture.cases().get(1).inputIds();
        // Different lengths, so one row is left-padded.
        prompts = List.of(a, Arrays.copyOf(b, Math.max(1, b.length - 3)));
        assertThat(prompts.get(0).length).isNotEqualTo(prompts.get(1).length);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyRowsOfDifferentLengthsEqualEachPromptAlone() {
        GenerationConfig greedy = GenerationConfig.builder().optMaxNewTokens(12).build();
        Completions batch = new BatchGenerator(model).generate(prompts, 2, greedy);
        assertThat(batch.rows()).isEqualTo(4);
        Generator single = new Generator(model, null);
        for (int r = 0; r < 4; r++) {
            long[] alone = single.generate(prompts.get(r / 2), greedy).tokens();
            assertThat(batch.tokens()[r]).as("row %d", r).containsExactly(alone);
        }
    }

    @Test
    void logProbsAreThoseOfAFullPassAtTheTemperature() {
        double temperature = 0.7;
        GenerationConfig config =
                GenerationConfig.builder()
                        .optMaxNewTokens(10)
                        .optDoSample(true)
                        .optTemperature(temperature)
                        .optTopK(0)
                        .optSeed(3)
                        .build();
        Completions batch = new BatchGenerator(model).generate(prompts, 3, config);
        for (int r = 0; r < batch.rows(); r++) {
            float[] full = fullPassLogProbs(prompts.get(r / 3), batch.tokens()[r], temperature);
            for (int t = 0; t < full.length; t++) {
                assertThat(batch.logProbs()[r][t]).isCloseTo(full[t], within(2e-5f));
            }
        }
    }

    @Test
    void sameSeedSameDrawsAndTopKOfOneIsGreedy() {
        GenerationConfig.Builder sampled =
                GenerationConfig.builder()
                        .optMaxNewTokens(8)
                        .optDoSample(true)
                        .optTopK(0)
                        .optSeed(5);
        BatchGenerator generator = new BatchGenerator(model);
        Completions first = generator.generate(prompts, 4, sampled.build());
        Completions again = generator.generate(prompts, 4, sampled.build());
        assertThat(again.tokens()).isDeepEqualTo(first.tokens());
        // Four draws of the same prompt are not all the same.
        assertThat(Set.of(key(first, 0), key(first, 1), key(first, 2), key(first, 3)))
                .hasSizeGreaterThan(1);
        Completions topOne = generator.generate(prompts, 2, sampled.optTopK(1).build());
        Completions greedy =
                generator.generate(
                        prompts, 2, GenerationConfig.builder().optMaxNewTokens(8).build());
        assertThat(topOne.tokens()).isDeepEqualTo(greedy.tokens());
        Completions nucleus =
                generator.generate(prompts, 2, sampled.optTopK(0).optTopP(1e-6).build());
        assertThat(nucleus.tokens()).isDeepEqualTo(greedy.tokens());
    }

    @Test
    void leavesNoArrayBehind() {
        NDManager root = model.manager();
        while (root.getParentManager() != null) {
            root = root.getParentManager();
        }
        GenerationConfig sampled =
                GenerationConfig.builder()
                        .optMaxNewTokens(6)
                        .optDoSample(true)
                        .optTopP(0.9)
                        .build();
        new BatchGenerator(model).generate(prompts, 2, sampled);
        int model = BatchGeneratorTest.model.manager().getManagedArrays().size();
        int all = root.getManagedArrays().size();
        new BatchGenerator(BatchGeneratorTest.model).generate(prompts, 3, sampled);
        assertThat(BatchGeneratorTest.model.manager().getManagedArrays()).hasSize(model);
        assertThat(root.getManagedArrays()).hasSize(all);
    }

    @Test
    void eachRowStopsOnItsOwnEos() {
        GenerationConfig greedy = GenerationConfig.builder().optMaxNewTokens(12).build();
        Completions plain = new BatchGenerator(model).generate(prompts, 1, greedy);
        long eos = plain.tokens()[0][2];
        GenerationConfig stopping =
                GenerationConfig.builder().optMaxNewTokens(12).optEosTokenIds(Set.of(eos)).build();
        Completions stopped = new BatchGenerator(model).generate(prompts, 1, stopping);
        int at = indexOf(plain.tokens()[0], eos);
        assertThat(stopped.tokens()[0]).containsExactly(Arrays.copyOf(plain.tokens()[0], at + 1));
        assertThat(stopped.endedOnEos()[0]).isTrue();
        int other = indexOf(plain.tokens()[1], eos);
        int expected = other < 0 ? 12 : other + 1;
        assertThat(stopped.tokens()[1]).containsExactly(Arrays.copyOf(plain.tokens()[1], expected));
        assertThat(stopped.endedOnEos()[1]).isEqualTo(other >= 0);
    }

    private static String key(Completions c, int row) {
        return Arrays.toString(c.tokens()[row]);
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    // log_softmax(logits / T) of one unpadded pass over prompt + completion, at each new token.
    private static float[] fullPassLogProbs(long[] prompt, long[] completion, double temperature) {
        try (NDManager m = model.manager().newSubManager()) {
            long[] all = new long[prompt.length + completion.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(completion, 0, all, prompt.length, completion.length);
            NDArray ids = m.create(all, new Shape(1, all.length));
            NDArray logits =
                    model.block().logits(model.parameterStore(), ModelInput.of(ids), false);
            NDArray logps =
                    logits.get("0, " + (prompt.length - 1) + ":" + (all.length - 1))
                            .div(m.full(new Shape(), (float) temperature))
                            .logSoftmax(1);
            NDArray index = m.create(completion).reshape(completion.length, 1);
            return logps.gather(index.toType(DataType.INT64, false), 1).toFloatArray();
        }
    }
}
