package io.kubetune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import io.kubetune.trainer.generate.GenerationResult.StopReason;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sampling and stopping on the tiny llama fixture (greedy parity is in ReferenceParityTest). */
class GeneratorTest {

    private static PretrainedModel model;
    private static HfTokenizer tokenizer;
    private static ReferenceFixture.PromptCase prompt;

    @BeforeAll
    static void load() throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load("llama");
        model = PretrainedModel.load(fixture.dir(), Device.cpu(), Precision.FP32);
        tokenizer = HfTokenizer.load(fixture.dir());
        prompt = fixture.cases().get(0);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
    }

    @Test
    void sameSeedSameSampleWithOrWithoutCacheAndOtherSeedDiffers() {
        long[] a = sample(1, true);
        assertThat(sample(1, false)).containsExactly(a);
        assertThat(sample(2, true)).isNotEqualTo(a);
        assertThat(a).isNotEqualTo(prompt.greedyIds());
    }

    @Test
    void stopsAtEosAndKeepsIt() {
        long eos = prompt.greedyIds()[3];
        GenerationResult result =
                generate(GenerationConfig.builder().optEosTokenIds(Set.of(eos)).build());
        assertThat(result.stopReason()).isEqualTo(StopReason.EOS);
        assertThat(result.tokens()).endsWith(eos).hasSizeLessThanOrEqualTo(4);
    }

    @Test
    void stopsWhenTheTextContainsAStopString() {
        String full = tokenizer.decode(prompt.greedyIds(), false);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        GenerationResult result =
                generate(GenerationConfig.builder().optStopStrings(List.of(stop)).build());
        assertThat(result.stopReason()).isEqualTo(StopReason.STOP_STRING);
        assertThat(result.text()).contains(stop);
        assertThat(result.tokens().length).isLessThan(prompt.greedyIds().length);
    }

    @Test
    void repetitionPenaltyChangesGreedyOutput() {
        GenerationResult plain = generate(GenerationConfig.builder().build());
        GenerationResult penalized =
                generate(GenerationConfig.builder().optRepetitionPenalty(5.0).build());
        assertThat(plain.tokens()).containsExactly(prompt.greedyIds());
        assertThat(penalized.tokens()).isNotEqualTo(plain.tokens());
    }

    private static long[] sample(long seed, boolean cache) {
        return generate(
                        GenerationConfig.builder()
                                .optDoSample(true)
                                .optTemperature(1.5)
                                .optTopK(100)
                                .optTopP(0.95)
                                .optSeed(seed)
                                .optUseCache(cache)
                                .build())
                .tokens();
    }

    private static GenerationResult generate(GenerationConfig config) {
        return new Generator(model, tokenizer).generate(prompt.inputIds(), config);
    }
}
